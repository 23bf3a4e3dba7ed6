-- The stage paths of deals whose stays were rewritten (stage_intervals_changed_stages).
DROP TRIGGER IF EXISTS stage_intervals_inserted_stages ON stage_intervals;
CREATE TRIGGER stage_intervals_inserted_stages AFTER INSERT ON stage_intervals REFERENCING NEW TABLE AS new_stays FOR EACH STATEMENT EXECUTE FUNCTION stage_intervals_changed_stages();
