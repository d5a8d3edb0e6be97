-- name: connect
-- Connect $1 and $2 both ways; a repeated or concurrent swap inserts nothing new.
-- $3 is the event where they met when known (an accepted request), else each side's
-- event at the moment of the swap. $4 is that moment when it was earlier than now
-- (a swap queued offline and synced later), else NULL.
-- Returns $1's contact row for $2 when it was made now or already visible; NULL only
-- when a concurrent swap committed it after this statement began (look it up again).
-- Each new row gets its follow-up, due by its owner's own time zone and preference.
-- Each row is tagged with the event its owner is at, if any.
WITH made AS (
    INSERT INTO contacts (owner_id, contact_id, event_id, met_at)
    VALUES ($1, $2, coalesce($3::bigint, current_event($1, coalesce($4::timestamptz, now()))),
            coalesce($4::timestamptz, now())),
           ($2, $1, coalesce($3::bigint, current_event($2, coalesce($4::timestamptz, now()))),
            coalesce($4::timestamptz, now()))
    ON CONFLICT (owner_id, contact_id) DO NOTHING
    RETURNING id, owner_id, met_at
), followup AS (
    INSERT INTO followups (contact_id, owner_id, status, due_at)
    SELECT made.id, made.owner_id,
           CASE WHEN a.followup_timing = 'never' THEN 'off' ELSE 'open' END,
           followup_due(a.followup_timing, a.time_zone, made.met_at)
    FROM made JOIN accounts a ON a.id = made.owner_id
)
SELECT id FROM made WHERE owner_id = $1
UNION ALL
SELECT id FROM contacts WHERE owner_id = $1 AND contact_id = $2
LIMIT 1

-- name: id_for
-- The contact row an owner keeps about another account.
SELECT id FROM contacts WHERE owner_id = $1 AND contact_id = $2

-- name: search
-- An owner's contacts, newest first, optionally filtered by a case-insensitive
-- substring of name, headline or company ($2 is a LIKE pattern, already escaped)
-- and by the event where we met ($3).
SELECT ct.id, ct.met_at, c.name, c.headline, c.company, c.photo_key,
       ct.event_id, e.name AS event_name
FROM contacts ct
JOIN cards c ON c.account_id = ct.contact_id
LEFT JOIN events e ON e.id = ct.event_id
WHERE ct.owner_id = $1
  AND ($2::text IS NULL
       OR c.name ILIKE $2 OR c.headline ILIKE $2 OR c.company ILIKE $2)
  AND ($3::bigint IS NULL OR ct.event_id = $3)
ORDER BY ct.met_at DESC, ct.id DESC
LIMIT 500

-- name: get
-- One contact with the other person's card, only if the owner holds it.
SELECT ct.id, ct.met_at, ct.note, ct.note_updated_at, ct.contact_id, ct.promised, ct.they_asked,
       ct.event_id, (SELECT e.name FROM events e WHERE e.id = ct.event_id) AS event_name,
       c.name, c.headline, c.company, c.email, c.phone, c.linkedin, c.website, c.other_link,
       c.looking_for, c.can_help_with, c.photo_key
FROM contacts ct
JOIN cards c ON c.account_id = ct.contact_id
WHERE ct.id = $1 AND ct.owner_id = $2

-- name: set_note
-- Save my private note about a contact; returns nothing when it is not mine.
UPDATE contacts SET note = $3, note_updated_at = now()
WHERE id = $1 AND owner_id = $2
RETURNING note, note_updated_at

-- name: set_give_get
-- What I promised them and what they asked me for.
UPDATE contacts SET promised = $3, they_asked = $4
WHERE id = $1 AND owner_id = $2
RETURNING promised, they_asked

