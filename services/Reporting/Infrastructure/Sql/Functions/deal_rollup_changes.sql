-- What the deal rows removed and added change in the rollups of the deals read model (deal_rollups), per
-- measure: created (the cohort, by creation day), open (by creation day), due (open, by decision month), won and
-- lost (by close day), and cycle (how many won deals took each number of days: the median). Days are the
-- organisation's, in the time zone the generation readers use is cut in (projection_states). Each measure is kept
-- per day and per month (grain), pipeline, team and currency, in five sets of dimensions (dims): none more
-- (base), the owner, the segment or the source alone, and all three (all, for reports filtered on several). Only
-- rows of the generation readers use count (a rebuild adds its own generation's when it switches readers over).
-- A removed row counts negatively: an update that moves no figure changes nothing.
CREATE OR REPLACE FUNCTION deal_rollup_changes(removed deals[], added deals[]) RETURNS SETOF deal_rollup_deltas
LANGUAGE plpgsql STABLE AS $fn$
BEGIN
    RETURN QUERY
    WITH changed AS (
        SELECT r.*, -1 AS sign FROM unnest(removed) r
        UNION ALL
        SELECT a.*, 1 AS sign FROM unnest(added) a),
    facts AS (
        SELECT d.*, (d.created_at AT TIME ZONE s.time_zone)::date AS created_day, (d.closed_at AT TIME ZONE s.time_zone)::date AS closed_day
        FROM changed d
        JOIN projection_states s ON s.organization_id = d.organization_id AND s.active_generation = d.generation),
    contributions AS (
        SELECT organization_id, generation, 'created' AS measure, created_day AS day, pipeline_id, owner_id::text, team_id, segment, source, currency::text,
               NULL::text AS lost_reason, NULL::int AS cycle_days, sign AS deals, CASE WHEN status = 'won' THEN sign ELSE 0 END AS won,
               0::numeric AS amount, 0::numeric AS weighted, 0 AS cycle_days_sum
        FROM facts
        UNION ALL
        SELECT organization_id, generation, 'open', created_day, pipeline_id, owner_id, team_id, segment, source, currency,
               NULL, NULL, sign, 0, sign * amount, sign * amount * probability / 100.0, 0
        FROM facts WHERE status = 'open'
        UNION ALL
        SELECT organization_id, generation, 'due', expected_decision_date, pipeline_id, owner_id, team_id, segment, source, currency,
               NULL, NULL, sign, 0, sign * amount, sign * amount * probability / 100.0, 0
        FROM facts WHERE status = 'open'
        UNION ALL
        SELECT organization_id, generation, 'won', closed_day, pipeline_id, owner_id, team_id, segment, source, currency,
               NULL, NULL, sign, sign, sign * amount, 0, sign * (closed_day - created_day)
        FROM facts WHERE status = 'won'
        UNION ALL
        SELECT organization_id, generation, 'lost', closed_day, pipeline_id, owner_id, team_id, segment, source, currency,
               coalesce(nullif(lost_reason, ''), '(none)'), NULL, sign, 0, sign * amount, 0, 0
        FROM facts WHERE status = 'lost'
        UNION ALL
        -- Not per owner, where the histogram would hold about a row per deal (the deals have an index for that).
        SELECT organization_id, generation, 'cycle', closed_day, pipeline_id, NULL, team_id, segment, source, NULL,
               NULL, closed_day - created_day, sign, sign, 0, 0, sign * (closed_day - created_day)
        FROM facts WHERE status = 'won')
    SELECT c.organization_id, c.generation, c.measure, k.dims, g.grain, CASE g.grain WHEN 'm' THEN date_trunc('month', c.day)::date ELSE c.day END,
           c.pipeline_id, CASE WHEN k.dims IN ('all', 'owner') THEN c.owner_id END, c.team_id,
           CASE WHEN k.dims IN ('all', 'segment') THEN c.segment END, CASE WHEN k.dims IN ('all', 'source') THEN c.source END,
           c.currency, c.lost_reason, c.cycle_days,
           sum(c.deals)::bigint, sum(c.won)::bigint, sum(c.amount), sum(c.weighted), sum(c.cycle_days_sum)::bigint
    FROM contributions c
    CROSS JOIN (VALUES ('d'::"char"), ('m'::"char")) AS g(grain)
    CROSS JOIN (VALUES ('all'), ('base'), ('owner'), ('segment'), ('source')) AS k(dims)
    WHERE (g.grain = 'm' OR c.measure <> 'due') AND (k.dims IN ('all', 'base', 'segment', 'source') OR c.measure <> 'cycle')
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14
    HAVING sum(c.deals) <> 0 OR sum(c.won) <> 0 OR sum(c.amount) <> 0 OR sum(c.weighted) <> 0 OR sum(c.cycle_days_sum) <> 0;
END
$fn$;
