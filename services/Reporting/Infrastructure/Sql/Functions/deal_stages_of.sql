-- The deal_stages rows the deals (organization, generation, opportunity) should have, from their stays, the deal
-- and its pipeline's stage order: per stage of the deal's pipeline it entered, its path through the stage, with
-- the deal's dimensions (the funnel's cohort is by creation date). Reached a later stage: entered, after first
-- entering this one, a stage further down the pipeline (back and forth counts once), or won. days: whole days
-- spent in the stage (exit day − entry day, summed over re-entries) once out of it, the days in the time zone the
-- row's generation is cut in (a rebuild's own, while it fills a generation); in_since, while in it:
-- the day it entered less the days of earlier stays (time in stage = today − in_since), which lets a histogram
-- hold it while the clock runs. PL/pgSQL, planned as refresh_deal_stages says.
CREATE OR REPLACE FUNCTION deal_stages_of(organizations uuid[], generations integer[], opportunities uuid[]) RETURNS SETOF deal_stages
LANGUAGE plpgsql STABLE AS $fn$
BEGIN
    RETURN QUERY
    WITH affected AS (SELECT DISTINCT * FROM unnest(organizations, generations, opportunities) AS a(organization_id, generation, opportunity_id)),
    stays AS (
        SELECT i.organization_id, i.generation, i.opportunity_id, i.stage_id, s."order", i.entered_at, i.exit,
               (i.entered_at AT TIME ZONE z.time_zone)::date AS entered_day, (i.exited_at AT TIME ZONE z.time_zone)::date AS exited_day,
               max(s."order") OVER (PARTITION BY i.organization_id, i.generation, i.opportunity_id ORDER BY i.entered_at DESC RANGE UNBOUNDED PRECEDING) AS highest_after,
               d.pipeline_id, d.created_at, d.owner_id, d.team_id, d.segment, d.source, d.status
        FROM affected a
        LEFT JOIN projection_states p ON p.organization_id = a.organization_id
        CROSS JOIN LATERAL (SELECT coalesce(CASE WHEN a.generation = p.building_generation THEN p.building_time_zone ELSE p.time_zone END, 'UTC') AS time_zone) z
        JOIN deals d ON d.organization_id = a.organization_id AND d.generation = a.generation AND d.opportunity_id = a.opportunity_id
        JOIN stage_intervals i ON i.organization_id = a.organization_id AND i.generation = a.generation AND i.opportunity_id = a.opportunity_id
        JOIN pipeline_stages s ON s.organization_id = i.organization_id AND s.stage_id = i.stage_id AND s.pipeline_id = d.pipeline_id)
    SELECT organization_id, generation, opportunity_id, stage_id, pipeline_id, created_at, owner_id::text, team_id, segment, source,
           status = 'won' OR (array_agg(highest_after ORDER BY entered_at))[1] > min("order"),
           coalesce(bool_or(exit = 'lost'), false),
           CASE WHEN count(*) = count(exited_day) THEN sum(exited_day - entered_day)::int END,
           CASE WHEN count(*) > count(exited_day)
                THEN min(entered_day) FILTER (WHERE exited_day IS NULL) - coalesce(sum(exited_day - entered_day), 0)::int END
    FROM stays
    GROUP BY organization_id, generation, opportunity_id, stage_id, pipeline_id, created_at, owner_id, team_id, segment, source, status;
END
$fn$;
