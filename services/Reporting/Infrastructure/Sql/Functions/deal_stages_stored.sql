-- The deal_stages rows the deals have now (SQL, inlined where it is used).
CREATE OR REPLACE FUNCTION deal_stages_stored(organizations uuid[], generations integer[], opportunities uuid[]) RETURNS SETOF deal_stages
LANGUAGE sql STABLE AS $fn$
    SELECT e.* FROM deal_stages e JOIN unnest(organizations, generations, opportunities) AS a(organization_id, generation, opportunity_id)
      ON e.organization_id = a.organization_id AND e.generation = a.generation AND e.opportunity_id = a.opportunity_id
$fn$;
