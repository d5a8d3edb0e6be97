-- The card editor's save is checked against the version of the text fields the form showed
-- (cards.update), so that a form opened before an edit on another device, or before "looking
-- for" was set on an event's page (cards.set_matching), does not revert it unseen. A column
-- of its own, not updated_at: a photo uploaded or "Ask first" switched on the same page while
-- the form is open is no conflict with the text being edited.
ALTER TABLE cards ADD COLUMN fields_changed_at timestamptz;
-- Each card's own moment rather than one shared by every card: a stale form is never taken
-- for the current one of another account signed in to the same browser.
UPDATE cards SET fields_changed_at = updated_at;
ALTER TABLE cards
    ALTER COLUMN fields_changed_at SET DEFAULT now(),
    ALTER COLUMN fields_changed_at SET NOT NULL;

-- photos.delete_unused (every upload and removal) and the ON DELETE SET NULL of cards.photo_key
-- (every deleted photo) look cards up by photo_key; without an index, each scans every card.
-- Partial: most cards have no photo, and both look up a key that is never NULL.
CREATE INDEX cards_photo_key ON cards (photo_key) WHERE photo_key IS NOT NULL;
