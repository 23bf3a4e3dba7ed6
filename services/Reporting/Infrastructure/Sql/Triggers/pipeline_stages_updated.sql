-- The stage paths of a pipeline whose stages were reordered (pipeline_stages_changed).
DROP TRIGGER IF EXISTS pipeline_stages_updated ON pipeline_stages;
CREATE TRIGGER pipeline_stages_updated AFTER UPDATE ON pipeline_stages REFERENCING OLD TABLE AS old_stages NEW TABLE AS new_stages FOR EACH STATEMENT EXECUTE FUNCTION pipeline_stages_changed();
