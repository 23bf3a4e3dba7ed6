-- The stage paths through a stage learnt of after stays in it (pipeline_stages_changed).
DROP TRIGGER IF EXISTS pipeline_stages_inserted ON pipeline_stages;
CREATE TRIGGER pipeline_stages_inserted AFTER INSERT ON pipeline_stages REFERENCING NEW TABLE AS new_stages FOR EACH STATEMENT EXECUTE FUNCTION pipeline_stages_changed();
