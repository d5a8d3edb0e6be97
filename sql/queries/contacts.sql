-- name: lock_pair!
-- Until the transaction ends, :account_id and :other_id are mine to connect or keep apart
-- (lock_pair in logic.sql): before connect, undo_removal's pair and block.
SELECT lock_pair(:account_id, :other_id)

-- name: lock_removal_pair!
-- lock_pair for the two people of my removal :id (nothing when it is not mine).
SELECT lock_pair(remover_id, other_id) FROM contact_removals
WHERE id = :id AND remover_id = :owner_id

-- name: connect$
-- Connect :account_id and :other_id both ways; a repeated or concurrent swap inserts nothing new.
-- :event_id is the event where they met when known (an accepted request), else each side's
-- event at the moment of the swap. :met_at is that moment when it was earlier than now
-- (a swap queued offline and synced later), else NULL.
-- Returns :account_id's contact row for :other_id when it was made now or already visible; NULL only
-- when a concurrent swap committed it after this statement began (look it up again).
-- Each new row gets its follow-up, due by its owner's own time zone and preference.
-- Each row is tagged with the event its owner is at, if any (meeting_event(): at two at once,
-- one both joined).
-- Two people with a block between them (either way) are never connected: nothing is made,
-- and there is no row to find (blocking deleted it), so this returns NULL.
WITH made AS (
    INSERT INTO contacts (owner_id, contact_id, event_id, met_at, sharing)
    SELECT pair.owner_id, pair.contact_id,
           -- A queued moment (:met_at, from the sender's phone) places only the sender's own
           -- row; the other side's event is where they are now, by our clock.
           coalesce(:event_id::bigint,
                    meeting_event(pair.owner_id, pair.contact_id,
                                  CASE WHEN pair.owner_id = :account_id::bigint THEN moment.at
                                       ELSE now() END)), moment.at,
           -- :pending: :other_id's card asks for details first; they accept later.
           CASE WHEN :pending::boolean AND pair.owner_id = :other_id::bigint THEN 'pending'
                ELSE 'all' END
    FROM (VALUES (:account_id::bigint, :other_id::bigint),
                 (:other_id::bigint, :account_id::bigint)) AS pair (owner_id, contact_id)
    CROSS JOIN (SELECT coalesce(:met_at::timestamptz, now()) AS at) AS moment
    WHERE NOT blocked_between(:account_id, :other_id)
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

-- name: visit^
-- A viewer (:viewer_id) looking at :owner_id's card: the viewer's contact row for them (id),
-- and what :owner_id shares with the viewer (sharing); NULL where not connected.
SELECT (SELECT id FROM contacts WHERE owner_id = :viewer_id AND contact_id = :owner_id) AS id,
       (SELECT sharing FROM contacts WHERE owner_id = :owner_id AND contact_id = :viewer_id)
           AS sharing

-- name: search
-- An owner's contacts, newest first, optionally filtered by a substring of name, headline or
-- company, in any case, with or without accents (search_fold(); :pattern is a LIKE pattern,
-- already escaped) and by the event where we met (:event_id); :limit of them, after the contact met at
-- :after_at with id :after_id (both NULL: from the newest). Each card as its person shares
-- it with me, so a company they keep from me neither shows nor matches.
-- A search reads my contacts newest first until a page matches: a string few match ("zqx")
-- reads all of them (10,000 in a long memory). So each is first matched on its card as
-- written, by key (a scalar subquery: never a join over every card) and with one LIKE on
-- cards.match_text (the three fields folded once, where ILIKE lowercased them on every
-- call); only the rows that match are shared_card()-ed and matched again as shared with me.
-- The pattern is folded once, in an InitPlan ((SELECT search_fold(:pattern))): in the plan
-- the app's prepared statement settles on, search_fold(:pattern) alone ran for every contact
-- read, and a search past 10,000 contacts took twice as long (p99 40 ms against 20).
SELECT ct.id, ct.met_at, c.name, c.headline, c.company, c.photo_key,
       ct.event_id, e.name AS event_name, ct.sharing,
       -- Their card asks first and they have yet to accept me (awaits_accept() in
       -- server/contacts/contacts.py): the list says so, as their page does.
       coalesce((SELECT theirs.sharing = 'pending' FROM contacts theirs
                 WHERE theirs.owner_id = ct.contact_id AND theirs.contact_id = ct.owner_id),
                false) AS waiting
FROM contacts ct
CROSS JOIN LATERAL shared_card(ct.contact_id, ct.owner_id) c
LEFT JOIN events e ON e.id = ct.event_id
WHERE ct.owner_id = :owner_id
  AND (:pattern::text IS NULL
       OR (SELECT raw.match_text LIKE (SELECT search_fold(:pattern))
           FROM cards raw WHERE raw.account_id = ct.contact_id))
  AND (:pattern::text IS NULL
       OR search_fold(c.name) LIKE (SELECT search_fold(:pattern))
       OR search_fold(c.headline) LIKE (SELECT search_fold(:pattern))
       OR search_fold(c.company) LIKE (SELECT search_fold(:pattern)))
  AND (:event_id::bigint IS NULL OR ct.event_id = :event_id)
  AND (:after_at::timestamptz IS NULL OR (ct.met_at, ct.id) < (:after_at, :after_id::bigint))
ORDER BY ct.met_at DESC, ct.id DESC
LIMIT :limit

-- name: get^
-- One contact with the other person's card as they share it with me, only if the owner holds
-- it; `sharing` is what I share with them, `whole` whether they share all their card with me.
SELECT ct.id, ct.met_at, ct.note, ct.note_updated_at, ct.contact_id, ct.promised, ct.they_asked,
       ct.event_id, (SELECT e.name FROM events e WHERE e.id = ct.event_id) AS event_name,
       ct.sharing,
       c.name, c.headline, c.company, c.email, c.phone, c.linkedin, c.website, c.other_link,
       c.looking_for, c.can_help_with, c.photo_key, c.whole
FROM contacts ct
CROSS JOIN LATERAL shared_card(ct.contact_id, ct.owner_id) c
WHERE ct.id = :id AND ct.owner_id = :owner_id

-- name: set_note^
-- Save my private note about a contact; returns nothing when it is not mine, or when :checked
-- and the note was saved since :as_of (the version the page showed) with other words.
UPDATE contacts SET note = :note, note_updated_at = now()
WHERE id = :id AND owner_id = :owner_id
  AND (NOT :checked OR note_updated_at IS NOT DISTINCT FROM :as_of::timestamptz OR note = :note)
RETURNING note, note_updated_at

-- name: set_give_get^
-- What I promised them and what they asked me for; returns nothing when it is not mine, or
-- when :checked and they were saved since the page showed :promised_was and :they_asked_was,
-- with other words.
UPDATE contacts SET promised = :promised, they_asked = :they_asked
WHERE id = :id AND owner_id = :owner_id
  AND (NOT :checked
       OR (promised = :promised_was AND they_asked = :they_asked_was)
       OR (promised = :promised AND they_asked = :they_asked))
RETURNING promised, they_asked


-- name: accept!
-- The owner of a card that asks first shares it with someone who left details: 'pending'
-- becomes 'all' (a choice of 'basics' made since stays), and their "You met", held until
-- now (join_by_link() in logic.sql), goes with the card: at a waking hour of the
-- recipient's (waking_hour() in logic.sql), since they left their details hours ago and wait
-- for nothing (accepted at 02:00, it would wake them), and after mail someone waits for.
WITH accepted AS (
    UPDATE contacts SET sharing = 'all'
    WHERE id = :id AND owner_id = :owner_id AND sharing = 'pending'
    RETURNING contact_id
), released AS (
    UPDATE emails m SET next_attempt_at = waking_hour(a.time_zone, now()), waited_for = false
    FROM accepted JOIN accounts a ON a.id = accepted.contact_id
    WHERE m.kind = 'met' AND m.account_id = accepted.contact_id AND m.about_id = :owner_id
      AND m.status = 'queued' AND m.next_attempt_at = 'infinity'
    RETURNING m.next_attempt_at
)
SELECT pg_notify('mail', 'queued')
FROM (SELECT 1 FROM released WHERE next_attempt_at <= now() LIMIT 1) woken

-- name: set_sharing$
-- What :owner_id shares with the person of contact row :id: 'all' or 'basics' (name and
-- headline); returns nothing when the row is not theirs, or while it waits to be accepted
-- (only accept lets it go, with the "You met" email held for it).
UPDATE contacts SET sharing = :sharing
WHERE id = :id AND owner_id = :owner_id AND sharing <> 'pending'
RETURNING sharing

-- name: remove$
-- :owner_id removes :other_id: both contact rows go at once, with their follow-ups, the pushes
-- and reminder emails of those (by cascade) and a "You met" email still queued between the two.
-- Everything needed to put it back is kept until :undo_seconds from now. Returns the removal's
-- id, or NULL when there was nothing to remove (the other side removed it first).
WITH pair AS (
    SELECT ct.* FROM contacts ct
    WHERE (ct.owner_id, ct.contact_id) IN ((:owner_id::bigint, :other_id::bigint),
                                           (:other_id::bigint, :owner_id::bigint))
    -- The other side removing at the same moment waits, then finds nothing.
    FOR UPDATE
), followup AS (
    SELECT f.* FROM followups f WHERE f.contact_id IN (SELECT id FROM pair)
), delivery AS (
    SELECT d.* FROM deliveries d WHERE d.followup_id IN (SELECT id FROM followup)
), email AS (
    SELECT m.* FROM emails m
    WHERE m.followup_id IN (SELECT id FROM followup)
       OR (m.kind = 'met' AND m.status = 'queued'
           AND (m.account_id, m.about_id) IN ((:owner_id::bigint, :other_id::bigint),
                                              (:other_id::bigint, :owner_id::bigint)))
), kept AS (
    INSERT INTO contact_removals (remover_id, other_id, undo_until, contacts, followups,
                                  deliveries, emails)
    SELECT :owner_id, :other_id, now() + make_interval(secs => :undo_seconds),
           (SELECT jsonb_agg(to_jsonb(pair)) FROM pair),
           (SELECT coalesce(jsonb_agg(to_jsonb(followup)), '[]') FROM followup),
           (SELECT coalesce(jsonb_agg(to_jsonb(delivery)), '[]') FROM delivery),
           (SELECT coalesce(jsonb_agg(to_jsonb(email)), '[]') FROM email)
    WHERE EXISTS (SELECT 1 FROM pair)
    RETURNING id
), met AS (
    DELETE FROM emails WHERE id IN (SELECT id FROM email WHERE kind = 'met')
), gone AS (
    DELETE FROM contacts WHERE id IN (SELECT id FROM pair)
)
SELECT id FROM kept

-- name: removal^
-- One of my removals, for the "Removed Dana Lee" notice: whom, and whether Undo still works.
SELECT r.id, coalesce(c.name, 'That contact') AS name, r.undo_until > now() AS can_undo,
       greatest(extract(epoch FROM r.undo_until - now()), 0)::float8 AS seconds_left
FROM contact_removals r
LEFT JOIN cards c ON c.account_id = r.other_id
WHERE r.id = :id AND r.remover_id = :owner_id

-- name: undo_removal$
-- Undo my removal :id while it may be undone, and no block came between the two meanwhile:
-- both contact rows, their follow-ups and those follow-ups' pushes and emails come back as they
-- were, with the same ids (links to them work again). A row the two made again meanwhile (they
-- swapped again) is kept instead, and so is what hangs off it; a device or address that went
-- meanwhile gets nothing back. Returns my contact row for them, or NULL when it is too late.
WITH taken AS (
    DELETE FROM contact_removals
    WHERE id = :id AND remover_id = :owner_id AND undo_until > now()
      AND NOT blocked_between(remover_id, other_id)
    RETURNING *
), contact_back AS (
    INSERT INTO contacts OVERRIDING SYSTEM VALUE
    SELECT (restored.r).* FROM (
        -- An event deleted meanwhile: where they met is forgotten, the contact is not.
        SELECT jsonb_populate_record(
                   NULL::contacts,
                   elem || CASE WHEN EXISTS (SELECT 1 FROM events e
                                            WHERE e.id = (elem ->> 'event_id')::bigint)
                               THEN '{}' ELSE '{"event_id": null}' END::jsonb) AS r
        FROM taken CROSS JOIN LATERAL jsonb_array_elements(taken.contacts) AS elem
    ) restored
    WHERE NOT EXISTS (SELECT 1 FROM contacts x
                      WHERE x.owner_id = (restored.r).owner_id
                        AND x.contact_id = (restored.r).contact_id)
    RETURNING id, owner_id
), followup_back AS (
    INSERT INTO followups OVERRIDING SYSTEM VALUE
    SELECT r.* FROM taken
    CROSS JOIN LATERAL jsonb_populate_recordset(NULL::followups, taken.followups) r
    WHERE r.contact_id IN (SELECT id FROM contact_back)
    RETURNING id
), delivery_back AS (
    INSERT INTO deliveries OVERRIDING SYSTEM VALUE
    SELECT r.* FROM taken
    CROSS JOIN LATERAL jsonb_populate_recordset(NULL::deliveries, taken.deliveries) r
    WHERE r.followup_id IN (SELECT id FROM followup_back)
      AND (r.subscription_id IS NULL
           OR EXISTS (SELECT 1 FROM push_subscriptions s WHERE s.id = r.subscription_id))
), email_back AS (
    INSERT INTO emails OVERRIDING SYSTEM VALUE
    SELECT r.* FROM taken
    CROSS JOIN LATERAL jsonb_populate_recordset(NULL::emails, taken.emails) r
    WHERE (r.followup_id IN (SELECT id FROM followup_back)
           OR (r.kind = 'met' AND EXISTS (SELECT 1 FROM contact_back)))
      AND EXISTS (SELECT 1 FROM email_addresses a WHERE a.address = r.to_address)
)
SELECT coalesce(
    (SELECT id FROM contact_back WHERE owner_id = :owner_id),
    (SELECT x.id FROM contacts x JOIN taken ON x.owner_id = taken.remover_id
                                           AND x.contact_id = taken.other_id)
)

-- name: waiting_to_be_accepted
-- People who left their details on my card, which asks first, and wait for me to accept,
-- newest first: Requests lists them with the requests to connect.
SELECT ct.id, c.name, c.headline, c.company, c.photo_key, ct.met_at
FROM contacts ct
CROSS JOIN LATERAL shared_card(ct.contact_id, ct.owner_id) c
WHERE ct.owner_id = :owner_id AND ct.sharing = 'pending'
ORDER BY ct.met_at DESC, ct.id DESC
LIMIT :limit
