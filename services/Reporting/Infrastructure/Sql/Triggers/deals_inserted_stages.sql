-- The stage paths of deals that arrive after their stays (deals_changed_stages).
DROP TRIGGER IF EXISTS deals_inserted_stages ON deals;
CREATE TRIGGER deals_inserted_stages AFTER INSERT ON deals REFERENCING NEW TABLE AS new_deals FOR EACH STATEMENT EXECUTE FUNCTION deals_changed_stages();
