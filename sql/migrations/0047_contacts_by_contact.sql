-- Contacts looked up by the person they name, not by their owner: the cascade when an account
-- is deleted (contacts.contact_id's foreign key), delete_account() gathering who was connected
-- to it, and forget_lone_guests() asking whether anyone still holds a guest. The unique
-- (owner_id, contact_id) leads with the owner, so each of these read the whole table.
CREATE INDEX contacts_by_contact ON contacts (contact_id);
