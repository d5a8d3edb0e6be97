-- name: connect$
-- Connect :account_id and :other_id both ways; a repeated or concurrent swap inserts nothing new.
-- :event_id is the event where they met when known (an accepted request), else each side's
-- event at the moment of the swap. :met_at is that moment when it was earlier than now
-- (a swap queued offline and synced later), else NULL.
-- Returns :account_id's contact row for :other_id when it was made now or already visible; NULL only
-- when a concurrent swap committed it after this statement began (look it up again).
-- Each new row gets its follow-up, due by its owner's own time zone and preference.
-- Each row is tagged with the event its owner is at, if any.
WITH made AS (
    INSERT INTO contacts (owner_id, contact_id, event_id, met_at)
    SELECT pair.owner_id, pair.contact_id,
           coalesce(:event_id::bigint, current_event(pair.owner_id, moment.at)), moment.at
    FROM (VALUES (:account_id::bigint, :other_id::bigint),
                 (:other_id::bigint, :account_id::bigint)) AS pair (owner_id, contact_id)
    CROSS JOIN (SELECT coalesce(:met_at::timestamptz, now()) AS at) AS moment
    -- The same order whoever swaps: two phones connecting each other at the same moment
    -- then wait for one another instead of each holding the row the other needs (deadlock).
    ORDER BY pair.owner_id
    ON CONFLICT (owner_id, contact_id) DO NOTHING
    RETURNING id, owner_id, met_at
), followup AS (
    INSERT INTO followups (contact_id, owner_id, status, due_at)
    SELECT made.id, made.owner_id,
           CASE WHEN a.followup_timing = 'never' THEN 'off' ELSE 'open' END,
           followup_due(a.followup_timing, a.time_zone, made.met_at)
    FROM made JOIN accounts a ON a.id = made.owner_id
)
SELECT id FROM made WHERE owner_id = :account_id
UNION ALL
SELECT id FROM contacts WHERE owner_id = :account_id AND contact_id = :other_id
LIMIT 1

-- name: id_for$
-- The contact row an owner keeps about another account.
SELECT id FROM contacts WHERE owner_id = :owner_id AND contact_id = :contact_id

-- name: search
-- An owner's contacts, newest first, optionally filtered by a case-insensitive
-- substring of name, headline or company (:pattern is a LIKE pattern, already escaped)
-- and by the event where we met (:event_id); :limit of them, after the contact met at
-- :after_at with id :after_id (both NULL: from the newest).
SELECT ct.id, ct.met_at, c.name, c.headline, c.company, c.photo_key,
       ct.event_id, e.name AS event_name
FROM contacts ct
JOIN cards c ON c.account_id = ct.contact_id
LEFT JOIN events e ON e.id = ct.event_id
WHERE ct.owner_id = :owner_id
  AND (:pattern::text IS NULL
       OR c.name ILIKE :pattern OR c.headline ILIKE :pattern OR c.company ILIKE :pattern)
  AND (:event_id::bigint IS NULL OR ct.event_id = :event_id)
  AND (:after_at::timestamptz IS NULL OR (ct.met_at, ct.id) < (:after_at, :after_id::bigint))
ORDER BY ct.met_at DESC, ct.id DESC
LIMIT :limit

-- name: get^
-- One contact with the other person's card, only if the owner holds it.
SELECT ct.id, ct.met_at, ct.note, ct.note_updated_at, ct.contact_id, ct.promised, ct.they_asked,
       ct.event_id, (SELECT e.name FROM events e WHERE e.id = ct.event_id) AS event_name,
       c.name, c.headline, c.company, c.email, c.phone, c.linkedin, c.website, c.other_link,
       c.looking_for, c.can_help_with, c.photo_key
FROM contacts ct
JOIN cards c ON c.account_id = ct.contact_id
WHERE ct.id = :id AND ct.owner_id = :owner_id

-- name: set_note^
-- Save my private note about a contact; returns nothing when it is not mine.
UPDATE contacts SET note = :note, note_updated_at = now()
WHERE id = :id AND owner_id = :owner_id
RETURNING note, note_updated_at

-- name: set_give_get^
-- What I promised them and what they asked me for.
UPDATE contacts SET promised = :promised, they_asked = :they_asked
WHERE id = :id AND owner_id = :owner_id
RETURNING promised, they_asked

