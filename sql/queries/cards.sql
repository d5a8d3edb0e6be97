-- name: get^
-- The whole card of an account, as the card editor and the share pages show it.
SELECT account_id, name, headline, company, email, phone, linkedin, website, other_link,
       looking_for, can_help_with, photo_key, ask_details_first, share_generation, share_id, updated_at
FROM cards WHERE account_id = :account_id

-- name: by_share_id^
-- The whole card a share link names by its opaque id, as cards.get gives it.
SELECT account_id, name, headline, company, email, phone, linkedin, website, other_link,
       looking_for, can_help_with, photo_key, ask_details_first, share_generation, share_id, updated_at
FROM cards WHERE share_id = :share_id

-- name: update!
-- Replace the text fields of a card.
UPDATE cards
SET name = :name, headline = :headline, company = :company, email = :email, phone = :phone, linkedin = :linkedin,
    website = :website, other_link = :other_link, looking_for = :looking_for, can_help_with = :can_help_with, updated_at = now()
WHERE account_id = :account_id

-- name: set_matching!
-- What the card's owner is looking for and can help with, the two fields matches are made of
-- (asked on an event's page).
UPDATE cards
SET looking_for = :looking_for, can_help_with = :can_help_with, updated_at = now()
WHERE account_id = :account_id

-- name: set_photo!
-- Point a card at a new photo (or none, with NULL).
UPDATE cards SET photo_key = :photo_key, updated_at = now() WHERE account_id = :account_id

-- name: set_ask_details_first!
-- Switch "ask for their details first" on or off.
UPDATE cards SET ask_details_first = :enabled, updated_at = now() WHERE account_id = :account_id

-- name: reset_share$
-- Invalidate every share code made so far; returns the new generation.
UPDATE cards SET share_generation = share_generation + 1, updated_at = now()
WHERE account_id = :account_id
RETURNING share_generation
