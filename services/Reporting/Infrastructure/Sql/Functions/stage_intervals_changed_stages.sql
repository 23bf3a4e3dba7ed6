-- The projection rewrites a deal's stays in one statement (deleting and inserting) at each of its events, and
-- only deletes them with the deal (which deletes its rows): the inserted stays say which deals to refresh.
CREATE OR REPLACE FUNCTION stage_intervals_changed_stages() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    organizations uuid[];
    generations integer[];
    opportunities uuid[];
BEGIN
    SELECT array_agg(organization_id), array_agg(generation), array_agg(opportunity_id) INTO organizations, generations, opportunities
    FROM (SELECT DISTINCT organization_id, generation, opportunity_id FROM new_stays) c;
    PERFORM refresh_deal_stages(organizations, generations, opportunities);
    RETURN NULL;
END
$fn$;
