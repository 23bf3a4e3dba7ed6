-- The funnel's rollups of removed stage paths (deal_stages_changed).
DROP TRIGGER IF EXISTS deal_stages_deleted ON deal_stages;
CREATE TRIGGER deal_stages_deleted AFTER DELETE ON deal_stages REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION deal_stages_changed();
