-- The rollups of new deals (deals_changed).
DROP TRIGGER IF EXISTS deals_inserted ON deals;
CREATE TRIGGER deals_inserted AFTER INSERT ON deals REFERENCING NEW TABLE AS new_deals FOR EACH STATEMENT EXECUTE FUNCTION deals_changed();
