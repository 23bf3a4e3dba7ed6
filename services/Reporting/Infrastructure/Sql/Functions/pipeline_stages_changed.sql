-- "A later stage" follows the pipeline's order: reordering stages refreshes the pipeline's deals (rare, and as
-- long as the pipeline is big); a stage arriving after stays in it (events out of order) refreshes those.
CREATE OR REPLACE FUNCTION pipeline_stages_changed() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    organizations uuid[];
    generations integer[];
    opportunities uuid[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(organization_id), array_agg(generation), array_agg(opportunity_id) INTO organizations, generations, opportunities
        FROM (SELECT DISTINCT i.organization_id, i.generation, i.opportunity_id FROM stage_intervals i
              JOIN new_stages n ON n.organization_id = i.organization_id AND n.stage_id = i.stage_id) c;
    ELSE
        SELECT array_agg(d.organization_id), array_agg(d.generation), array_agg(d.opportunity_id) INTO organizations, generations, opportunities
        FROM deals d
        JOIN (SELECT DISTINCT n.organization_id, n.pipeline_id FROM new_stages n
              JOIN old_stages o ON o.organization_id = n.organization_id AND o.stage_id = n.stage_id
              WHERE (n."order", n.pipeline_id) IS DISTINCT FROM (o."order", o.pipeline_id)) p
          ON p.organization_id = d.organization_id AND p.pipeline_id = d.pipeline_id;
    END IF;

    PERFORM refresh_deal_stages(organizations, generations, opportunities);
    RETURN NULL;
END
$fn$;
