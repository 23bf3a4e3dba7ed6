-- The stage paths of deals whose dimensions or outcome changed (deals_changed_stages).
DROP TRIGGER IF EXISTS deals_updated_stages ON deals;
CREATE TRIGGER deals_updated_stages AFTER UPDATE ON deals REFERENCING OLD TABLE AS old_deals NEW TABLE AS new_deals FOR EACH STATEMENT EXECUTE FUNCTION deals_changed_stages();
