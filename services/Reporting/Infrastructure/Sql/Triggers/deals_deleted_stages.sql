-- The stage paths of deleted deals go with them (deals_changed_stages).
DROP TRIGGER IF EXISTS deals_deleted_stages ON deals;
CREATE TRIGGER deals_deleted_stages AFTER DELETE ON deals REFERENCING OLD TABLE AS old_deals FOR EACH STATEMENT EXECUTE FUNCTION deals_changed_stages();
