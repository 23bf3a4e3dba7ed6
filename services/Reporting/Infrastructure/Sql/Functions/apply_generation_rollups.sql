-- The rollups of a generation that readers have just switched to (a rebuild): the triggers keep those of the
-- readers' generation only, so the new one's are added here, complete, straight into the rollups (not as deltas,
-- which reports would read until they are folded). A chunk of deals at a time, so that no array grows with the
-- organisation.
CREATE OR REPLACE FUNCTION apply_generation_rollups(organization uuid, generation integer) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
    chunk deals[];
    previous_end uuid := '00000000-0000-0000-0000-000000000000';
    chunk_end uuid;
BEGIN
    LOOP
        chunk := ARRAY(SELECT d FROM deals d
                       WHERE d.organization_id = organization AND d.generation = apply_generation_rollups.generation AND d.opportunity_id > previous_end
                       ORDER BY d.opportunity_id LIMIT 20000);
        EXIT WHEN cardinality(chunk) = 0;
        chunk_end := chunk[cardinality(chunk)].opportunity_id;
        PERFORM add_to_deal_rollups(ARRAY(SELECT c FROM deal_rollup_changes('{}', chunk) c));
        PERFORM add_to_stage_rollups(ARRAY(SELECT c FROM stage_rollup_changes('{}', ARRAY(
            SELECT s FROM deal_stages s
            WHERE s.organization_id = organization AND s.generation = apply_generation_rollups.generation
              AND s.opportunity_id > previous_end AND s.opportunity_id <= chunk_end)) c));
        previous_end := chunk_end;
    END LOOP;
END
$fn$;
