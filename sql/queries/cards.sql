-- name: get
-- The whole card of an account, as the card editor and the share pages show it.
SELECT account_id, name, headline, company, email, phone, linkedin, website, other_link,
       looking_for, can_help_with, photo_key, ask_details_first, share_generation, updated_at
FROM cards WHERE account_id = $1

-- name: update
-- Replace the text fields of a card.
UPDATE cards
SET name = $2, headline = $3, company = $4, email = $5, phone = $6, linkedin = $7,
    website = $8, other_link = $9, looking_for = $10, can_help_with = $11, updated_at = now()
WHERE account_id = $1

-- name: set_photo
-- Point a card at a new photo (or none, with NULL).
UPDATE cards SET photo_key = $2, updated_at = now() WHERE account_id = $1

-- name: set_ask_details_first
-- Switch "ask for their details first" on or off.
UPDATE cards SET ask_details_first = $2, updated_at = now() WHERE account_id = $1

-- name: reset_share
-- Invalidate every share code made so far; returns the new generation.
UPDATE cards SET share_generation = share_generation + 1, updated_at = now()
WHERE account_id = $1
RETURNING share_generation
