-- The rollups of deleted deals (deals_changed).
DROP TRIGGER IF EXISTS deals_deleted ON deals;
CREATE TRIGGER deals_deleted AFTER DELETE ON deals REFERENCING OLD TABLE AS old_deals FOR EACH STATEMENT EXECUTE FUNCTION deals_changed();
