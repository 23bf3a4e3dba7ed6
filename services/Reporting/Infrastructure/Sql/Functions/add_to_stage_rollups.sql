-- Adds rollup deltas to stage_rollups, as add_to_deal_rollups does to deal_rollups.
CREATE OR REPLACE FUNCTION add_to_stage_rollups(deltas stage_rollup_deltas[]) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    INSERT INTO stage_rollups AS r
    SELECT organization_id, generation, measure, dims, grain, day, pipeline_id, stage_id, owner_id, team_id, segment, source,
           days, in_since, sum(entered), sum(advanced), sum(lost), sum(days_sum), sum(in_stage), sum(in_since_sum)
    FROM unnest(deltas)
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14
    ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14
    ON CONFLICT (organization_id, generation, measure, dims, grain, day, pipeline_id, stage_id, owner_id, team_id, segment, source, days, in_since)
    DO UPDATE SET entered = r.entered + excluded.entered, advanced = r.advanced + excluded.advanced, lost = r.lost + excluded.lost,
                  days_sum = r.days_sum + excluded.days_sum, in_stage = r.in_stage + excluded.in_stage, in_since_sum = r.in_since_sum + excluded.in_since_sum;
END
$fn$;
