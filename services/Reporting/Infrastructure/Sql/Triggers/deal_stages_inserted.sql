-- The funnel's rollups of new stage paths (deal_stages_changed).
DROP TRIGGER IF EXISTS deal_stages_inserted ON deal_stages;
CREATE TRIGGER deal_stages_inserted AFTER INSERT ON deal_stages REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION deal_stages_changed();
