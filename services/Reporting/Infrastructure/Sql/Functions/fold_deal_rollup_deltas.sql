-- Moves up to 50,000 deltas into the rollups, one folder at a time (another caller returns at once); returns the
-- number of deltas moved. Readers see the deltas or their sum, never both: one transaction. The limit keeps a
-- turn short after a bulk load, which leaves millions: folded at once, they outlasted the service's command
-- timeout (30 s), to be rolled back and started again at every turn.
CREATE OR REPLACE FUNCTION fold_deal_rollup_deltas() RETURNS bigint LANGUAGE plpgsql AS $fn$
DECLARE
    taken deal_rollup_deltas[];
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('fold_deal_rollup_deltas')) THEN
        RETURN 0;
    END IF;

    WITH moved AS (DELETE FROM deal_rollup_deltas WHERE ctid = ANY (ARRAY(SELECT ctid FROM deal_rollup_deltas LIMIT 50000)) RETURNING *)
    SELECT coalesce(array_agg(m), '{}') INTO taken FROM moved m;
    PERFORM add_to_deal_rollups(taken);
    RETURN cardinality(taken);
END
$fn$;
