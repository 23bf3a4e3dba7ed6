-- The deals' statement triggers: append what a statement changed in the rollups to deal_rollup_deltas, which the
-- service's folder moves into deal_rollups (fold_deal_rollup_deltas); reports read both. Appending rather than
-- upserting the rollups keeps projections of similar deals from queueing behind the row locks of the same few
-- rollup rows. Static statements, so that they are planned once per session, not at every projected event.
CREATE OR REPLACE FUNCTION deals_changed() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    removed deals[] := '{}';
    added deals[] := '{}';
BEGIN
    -- Rows of a generation readers do not use (a rebuild filling its own, or dropping the old) change no rollup.
    IF TG_OP <> 'INSERT' THEN
        removed := ARRAY(SELECT d FROM old_deals d JOIN projection_states s ON s.organization_id = d.organization_id AND s.active_generation = d.generation);
    END IF;

    IF TG_OP <> 'DELETE' THEN
        added := ARRAY(SELECT d FROM new_deals d JOIN projection_states s ON s.organization_id = d.organization_id AND s.active_generation = d.generation);
    END IF;

    IF cardinality(removed) > 0 OR cardinality(added) > 0 THEN
        INSERT INTO deal_rollup_deltas SELECT * FROM deal_rollup_changes(removed, added);
    END IF;

    RETURN NULL;
END
$fn$;
