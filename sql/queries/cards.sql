-- name: get^
-- The whole card of an account, as the card editor and the share pages show it.
SELECT account_id, name, headline, company, email, phone, linkedin, website, other_link,
       looking_for, can_help_with, photo_key, ask_details_first, share_generation, share_id, updated_at,
       fields_changed_at
FROM cards WHERE account_id = :account_id

-- name: by_share_id^
-- The whole card a share link names by its opaque id, as cards.get gives it.
SELECT account_id, name, headline, company, email, phone, linkedin, website, other_link,
       looking_for, can_help_with, photo_key, ask_details_first, share_generation, share_id, updated_at,
       fields_changed_at
FROM cards WHERE share_id = :share_id

-- name: merged_share^
-- A link that opens no card: whether its card was merged into another account's
-- (merged_accounts, migration 0055), by its opaque :share_id (or for a link from before share
-- ids, NULL, by :account_id), and which. The link works at `share_generation` while the kept
-- card is still at `target_generation` (NULL: its code was made new since).
SELECT target AS account_id, share_generation, target_generation
FROM merged_accounts
WHERE share_generation IS NOT NULL
  AND (share_id = :share_id OR (:share_id::bigint IS NULL AND source = :account_id))

-- name: update^
-- Replace the text fields of a card; returns nothing when :checked and they were changed since
-- :seen (the fields_changed_at the editor showed) to other words than these: another device's
-- edit, or what an event's page set (set_matching), is not reverted unseen.
UPDATE cards
SET name = :name, headline = :headline, company = :company, email = :email, phone = :phone, linkedin = :linkedin,
    website = :website, other_link = :other_link, looking_for = :looking_for, can_help_with = :can_help_with,
    updated_at = now(), fields_changed_at = now()
WHERE account_id = :account_id
  AND (NOT :checked
       OR fields_changed_at = :seen::timestamptz
       OR (name, headline, company, email, phone, linkedin, website, other_link, looking_for, can_help_with)
          = (:name, :headline, :company, :email, :phone, :linkedin, :website, :other_link, :looking_for, :can_help_with))
RETURNING fields_changed_at

-- name: set_matching^
-- What the card's owner is looking for and can help with, the two fields matches are made of
-- (asked on an event's page). Returns nothing when :checked and the two no longer say what the
-- page showed (:was_looking_for, :was_can_help_with) nor what is saved now: a change made on
-- another device since is not reverted unseen.
UPDATE cards
SET looking_for = :looking_for, can_help_with = :can_help_with, updated_at = now(), fields_changed_at = now()
WHERE account_id = :account_id
  AND (NOT :checked
       OR (looking_for, can_help_with) = (:was_looking_for, :was_can_help_with)
       OR (looking_for, can_help_with) = (:looking_for, :can_help_with))
RETURNING account_id

-- name: set_photo!
-- Point a card at a new photo.
UPDATE cards SET photo_key = :photo_key, updated_at = now() WHERE account_id = :account_id

-- name: remove_photo$
-- Take the photo off a card, only if it is still :photo_key (the one the page showed): a page
-- left open on another device never removes a photo uploaded since. Returns nothing otherwise.
UPDATE cards SET photo_key = NULL, updated_at = now()
WHERE account_id = :account_id AND photo_key = :photo_key
RETURNING account_id

-- name: set_ask_details_first!
-- Switch "ask for their details first" on or off.
UPDATE cards SET ask_details_first = :enabled, updated_at = now() WHERE account_id = :account_id

-- name: reset_share$
-- Invalidate every share code made so far; returns the new generation.
UPDATE cards SET share_generation = share_generation + 1, updated_at = now()
WHERE account_id = :account_id
RETURNING share_generation
