-- What the deal_stages rows removed and added change in the funnel's rollups (stage_rollups), per stage and cohort
-- (creation) day, in the organisation's time zone as deal_rollup_changes, and month, in the same five sets of dimensions as deal_rollups. Measure 'stays': entered,
-- advanced, lost there, the days of those out of the stage, and how many are still in it since which days
-- (average = (days_sum + in_stage × today − in_since_sum) ÷ entered, in days since 1970-01-01). Measure 'time': how
-- many spent each number of days (days) or are in the stage since each day (in_since), for the median; not per
-- owner. Only rows of the generation readers use count, as for deals.
CREATE OR REPLACE FUNCTION stage_rollup_changes(removed deal_stages[], added deal_stages[]) RETURNS SETOF stage_rollup_deltas
LANGUAGE plpgsql STABLE AS $fn$
BEGIN
    RETURN QUERY
    WITH changed AS (
        SELECT r.*, -1 AS sign FROM unnest(removed) r
        UNION ALL
        SELECT a.*, 1 AS sign FROM unnest(added) a),
    facts AS (
        SELECT d.*, (d.created_at AT TIME ZONE s.time_zone)::date AS created_day
        FROM changed d
        JOIN projection_states s ON s.organization_id = d.organization_id AND s.active_generation = d.generation),
    contributions AS (
        SELECT organization_id, generation, 'stays' AS measure, created_day AS day, pipeline_id, stage_id, owner_id, team_id, segment, source,
               NULL::int AS days, NULL::date AS in_since, sign AS entered, CASE WHEN advanced THEN sign ELSE 0 END AS advanced,
               CASE WHEN lost THEN sign ELSE 0 END AS lost, sign * coalesce(days, 0) AS days_sum,
               CASE WHEN in_since IS NOT NULL THEN sign ELSE 0 END AS in_stage, sign * coalesce(in_since - DATE '1970-01-01', 0) AS in_since_sum
        FROM facts
        UNION ALL
        SELECT organization_id, generation, 'time', created_day, pipeline_id, stage_id, NULL, team_id, segment, source,
               days, in_since, sign, 0, 0, 0, 0, 0
        FROM facts)
    SELECT c.organization_id, c.generation, c.measure, k.dims, g.grain, CASE g.grain WHEN 'm' THEN date_trunc('month', c.day)::date ELSE c.day END,
           c.pipeline_id, c.stage_id, CASE WHEN k.dims IN ('all', 'owner') THEN c.owner_id END, c.team_id,
           CASE WHEN k.dims IN ('all', 'segment') THEN c.segment END, CASE WHEN k.dims IN ('all', 'source') THEN c.source END,
           c.days, c.in_since, sum(c.entered)::bigint, sum(c.advanced)::bigint, sum(c.lost)::bigint, sum(c.days_sum)::bigint,
           sum(c.in_stage)::bigint, sum(c.in_since_sum)::bigint
    FROM contributions c
    CROSS JOIN (VALUES ('d'::"char"), ('m'::"char")) AS g(grain)
    CROSS JOIN (VALUES ('all'), ('base'), ('owner'), ('segment'), ('source')) AS k(dims)
    WHERE k.dims IN ('all', 'base', 'segment', 'source') OR c.measure <> 'time'
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14
    HAVING sum(c.entered) <> 0 OR sum(c.advanced) <> 0 OR sum(c.lost) <> 0 OR sum(c.days_sum) <> 0 OR sum(c.in_stage) <> 0 OR sum(c.in_since_sum) <> 0;
END
$fn$;
