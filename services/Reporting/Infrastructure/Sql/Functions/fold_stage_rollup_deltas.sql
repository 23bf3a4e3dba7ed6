-- Moves up to 50,000 stage rollup deltas into stage_rollups, as fold_deal_rollup_deltas does for deals.
CREATE OR REPLACE FUNCTION fold_stage_rollup_deltas() RETURNS bigint LANGUAGE plpgsql AS $fn$
DECLARE
    taken stage_rollup_deltas[];
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('fold_stage_rollup_deltas')) THEN
        RETURN 0;
    END IF;

    WITH moved AS (DELETE FROM stage_rollup_deltas WHERE ctid = ANY (ARRAY(SELECT ctid FROM stage_rollup_deltas LIMIT 50000)) RETURNING *)
    SELECT coalesce(array_agg(m), '{}') INTO taken FROM moved m;
    PERFORM add_to_stage_rollups(taken);
    RETURN cardinality(taken);
END
$fn$;
