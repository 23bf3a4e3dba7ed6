-- Brings the deals' deal_stages rows up to date: only rows that differ are deleted and inserted, so the rollups
-- change only when a figure does. The rows the deals should have are computed once, and compared twice.
CREATE OR REPLACE FUNCTION refresh_deal_stages(organizations uuid[], generations integer[], opportunities uuid[]) RETURNS void LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan AS $fn$
DECLARE
    wanted deal_stages[];
BEGIN
    IF coalesce(cardinality(opportunities), 0) = 0 THEN
        RETURN;
    END IF;

    -- A projected batch's few deals: generic plans, made once per session (re-planned for each event's arrays, an
    -- event spent 1 ms in the planner). A bulk load's thousands: plans for their size.
    IF cardinality(opportunities) > 1000 THEN
        PERFORM set_config('plan_cache_mode', 'force_custom_plan', true);
    END IF;

    wanted := ARRAY(SELECT w FROM deal_stages_of(organizations, generations, opportunities) w);

    -- (A bulk load's new deals have no rows yet: nothing to delete.)
    IF EXISTS (SELECT FROM deal_stages_stored(organizations, generations, opportunities)) THEN
        DELETE FROM deal_stages s
        USING (SELECT * FROM deal_stages_stored(organizations, generations, opportunities)
               EXCEPT SELECT * FROM unnest(wanted)) x
        WHERE s.organization_id = x.organization_id AND s.generation = x.generation AND s.opportunity_id = x.opportunity_id AND s.stage_id = x.stage_id;
    END IF;

    INSERT INTO deal_stages
    SELECT * FROM unnest(wanted)
    EXCEPT
    SELECT * FROM deal_stages_stored(organizations, generations, opportunities);
END
$fn$;
