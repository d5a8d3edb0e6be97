-- Take it back: remove a contact (with a few seconds to undo) and share less with one person.

-- "Remove" deletes the pair's two contact rows at once (their follow-ups, pushes and reminder
-- emails go with them by cascade), so no reader of contacts needs to know about removals.
-- What Undo needs to put them back exactly is kept here, as the rows were (to_jsonb), until
-- undo_until; after that the row is only waiting to be deleted (contacts.forget_removals).
CREATE TABLE contact_removals (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    remover_id bigint NOT NULL REFERENCES accounts ON DELETE CASCADE,
    other_id bigint NOT NULL REFERENCES accounts ON DELETE CASCADE,
    removed_at timestamptz NOT NULL DEFAULT now(),
    undo_until timestamptz NOT NULL,
    contacts jsonb NOT NULL,
    followups jsonb NOT NULL,
    deliveries jsonb NOT NULL,
    emails jsonb NOT NULL
);
CREATE INDEX contact_removals_remover ON contact_removals (remover_id);
CREATE INDEX contact_removals_other ON contact_removals (other_id);
CREATE INDEX contact_removals_undo_until ON contact_removals (undo_until);

-- What the contact sees of the owner's card ("What they see of me"), on the owner's row for
-- them: all of it, or name and headline only (shared_card() in logic.sql applies it).
ALTER TABLE contacts
    ADD COLUMN sharing text NOT NULL DEFAULT 'all' CHECK (sharing IN ('all', 'basics'));
