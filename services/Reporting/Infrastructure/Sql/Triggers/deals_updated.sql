-- The rollups of changed deals (deals_changed).
DROP TRIGGER IF EXISTS deals_updated ON deals;
CREATE TRIGGER deals_updated AFTER UPDATE ON deals REFERENCING OLD TABLE AS old_deals NEW TABLE AS new_deals FOR EACH STATEMENT EXECUTE FUNCTION deals_changed();
