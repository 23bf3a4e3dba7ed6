-- The deal's dimensions and outcome are copied into its deal_stages rows: refresh when one of them changes (most
-- updates, an amount or a decision date, change none), or when a deal arrives after its stays; a deleted deal
-- takes its rows along.
CREATE OR REPLACE FUNCTION deals_changed_stages() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    organizations uuid[];
    generations integer[];
    opportunities uuid[];
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM deal_stages s USING old_deals o
        WHERE s.organization_id = o.organization_id AND s.generation = o.generation AND s.opportunity_id = o.opportunity_id;
        RETURN NULL;
    ELSIF TG_OP = 'INSERT' THEN
        SELECT array_agg(n.organization_id), array_agg(n.generation), array_agg(n.opportunity_id) INTO organizations, generations, opportunities
        FROM new_deals n
        WHERE EXISTS (SELECT FROM stage_intervals i WHERE i.organization_id = n.organization_id AND i.generation = n.generation AND i.opportunity_id = n.opportunity_id);
    ELSE
        SELECT array_agg(n.organization_id), array_agg(n.generation), array_agg(n.opportunity_id) INTO organizations, generations, opportunities
        FROM new_deals n
        JOIN old_deals o ON o.organization_id = n.organization_id AND o.generation = n.generation AND o.opportunity_id = n.opportunity_id
        WHERE (n.status, n.pipeline_id, n.owner_id, n.team_id, n.segment, n.source, n.created_at)
              IS DISTINCT FROM (o.status, o.pipeline_id, o.owner_id, o.team_id, o.segment, o.source, o.created_at);
    END IF;

    PERFORM refresh_deal_stages(organizations, generations, opportunities);
    RETURN NULL;
END
$fn$;
