-- Adds rollup deltas to deal_rollups, summed per row first (one statement may not update a row twice), in the
-- rollups' key order, so that two callers lock shared rows in one order rather than deadlock.
CREATE OR REPLACE FUNCTION add_to_deal_rollups(deltas deal_rollup_deltas[]) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    INSERT INTO deal_rollups AS r
    SELECT organization_id, generation, measure, dims, grain, day, pipeline_id, owner_id, team_id, segment, source, currency,
           lost_reason, cycle_days, sum(deals), sum(won), sum(amount), sum(weighted), sum(cycle_days_sum)
    FROM unnest(deltas)
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14
    ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14
    ON CONFLICT (organization_id, generation, measure, dims, grain, day, pipeline_id, owner_id, team_id, segment, source, currency, lost_reason, cycle_days)
    DO UPDATE SET deals = r.deals + excluded.deals, won = r.won + excluded.won, amount = r.amount + excluded.amount,
                  weighted = r.weighted + excluded.weighted, cycle_days_sum = r.cycle_days_sum + excluded.cycle_days_sum;
END
$fn$;
