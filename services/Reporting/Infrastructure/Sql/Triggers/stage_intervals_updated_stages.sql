-- The stage paths of deals whose stays changed (stage_intervals_changed_stages).
DROP TRIGGER IF EXISTS stage_intervals_updated_stages ON stage_intervals;
CREATE TRIGGER stage_intervals_updated_stages AFTER UPDATE ON stage_intervals REFERENCING NEW TABLE AS new_stays FOR EACH STATEMENT EXECUTE FUNCTION stage_intervals_changed_stages();
