-- The deal_stages statement triggers (its rows are only ever inserted and deleted, by refresh_deal_stages): append
-- what a statement changed in the funnel's rollups to stage_rollup_deltas, as deals_changed does for deals.
CREATE OR REPLACE FUNCTION deal_stages_changed() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    removed deal_stages[] := '{}';
    added deal_stages[] := '{}';
BEGIN
    IF TG_OP = 'DELETE' THEN
        removed := ARRAY(SELECT d FROM old_rows d JOIN projection_states s ON s.organization_id = d.organization_id AND s.active_generation = d.generation);
    ELSE
        added := ARRAY(SELECT d FROM new_rows d JOIN projection_states s ON s.organization_id = d.organization_id AND s.active_generation = d.generation);
    END IF;

    IF cardinality(removed) > 0 OR cardinality(added) > 0 THEN
        INSERT INTO stage_rollup_deltas SELECT * FROM stage_rollup_changes(removed, added);
    END IF;

    RETURN NULL;
END
$fn$;
