-- name: lock_pair!
-- Until the transaction ends, :account_id and :other_id are mine to connect or keep apart
-- (lock_pair in logic.sql): before connect, remove, undo_removal's pair and block.
SELECT lock_pair(:account_id, :other_id)

-- name: lock_removal_pair$
-- Before undo_removal, in a statement of its own: lock_pair for the two people of my removal
-- :id, then what the deleting of either holds before their account, then both accounts
-- (hold_removal_to_undo() in logic.sql), so that undo_removal takes the removal only after
-- them, as the deleting's cascade does. Returns the other person as read before the holds
-- (nothing when it is not mine), for undo_removal to match: the function reads the removal
-- again, never earlier, so a merge that moved it in between makes them differ, and the Undo
-- finds nothing rather than the pair it did not hold.
SELECT other_id, hold_removal_to_undo(id, remover_id) FROM contact_removals
WHERE id = :id AND remover_id = :owner_id

-- name: removal_moved$
-- Whether my removal :id, still open, is with someone other than :other_id now: a merge of
-- :other_id's card into another account (merge_accounts() in logic.sql) moved it there while
-- an Undo waited for its holds. Read after undo_removal, in its transaction.
SELECT EXISTS (SELECT 1 FROM contact_removals
               WHERE id = :id AND remover_id = :owner_id AND other_id <> :other_id
                 AND undo_until > now())

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
-- A request to connect waiting between the two is answered by the swap (accepted): left
-- waiting, Requests hid it only while its asker kept the other in their contacts, so after a
-- Remove it came back, and its Accept connected them again. So is one declined (not
-- withdrawn): declining is silent, and to its asker it read as waiting again after a Remove,
-- in "Sent by you" and on the roster.
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
), settled AS (
    -- By connect_requests_open_pair (migration 0062): the pair's few rows, in one probe.
    UPDATE connect_requests SET status = 'accepted', decided_at = now()
    WHERE least(from_id, to_id) = least(:account_id::bigint, :other_id::bigint)
      AND greatest(from_id, to_id) = greatest(:account_id::bigint, :other_id::bigint)
      AND status IN ('pending', 'declined') AND withdrawn_at IS NULL
      AND NOT blocked_between(:account_id, :other_id)
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
-- An owner's contacts, newest first, optionally filtered by what was typed and by the event
-- where we met (:event_id); :limit of them, after the contact met at :after_at with id
-- :after_id in group :after_tier (all NULL: from the first). Each card as its person shares it
-- with me, so a company they keep from me neither shows nor matches.
-- :pattern is like_pattern()'s: '%', the words typed (LIKE-escaped, one space between), '%'.
-- As a phone's contacts search: every word must be in their name, role (headline) or company,
-- in any order, any case, with or without accents (search_fold()), and in any place in a word
-- ("ed" finds Medical); people whose name has a word starting with each word typed ("ed"
-- finds Ed Park, "lee dana" Dana Lee) come first, then everyone else found, each newest first.
-- Each row says its group (tier). "Show more" goes on from the last row's group, moment and id
-- as the page gave them (:after_tier, :after_at, :after_id), as roster_page() does, never from
-- that contact as it is now: renamed out of the first group, or removed, since the page was
-- shown, the next page still skips no one and repeats no one.
-- The page's contacts come from contacts_page() (logic.sql): one read of the list newest first
-- through contacts_owner_recent, the first group kept as met and the second's first page on
-- the side, stopping once the first group fills the page. Each contact is first matched on its
-- card as written, by key (a scalar subquery: never a join over every card), on
-- cards.match_text (the three fields folded once, read from the index cards_match_text, one
-- line each, so no word spans two fields): LIKE ALL the words, then, only for those, their
-- name's words against the start of each word typed; only the rows that match are
-- shared_card()-ed and matched again as shared with me, each in a scalar subquery too.
-- What is typed is folded once, not for every contact read. The cursor is compared as one row
-- value with never a NULL, so each page is an index range, searching or not.
WITH found AS (
    SELECT * FROM contacts_page(:owner_id, :pattern::text, :event_id::bigint,
                                :after_tier::int, :after_at::timestamptz, :after_id::bigint,
                                :limit)
)
SELECT f.tier, f.id, f.met_at, c.name, c.headline, c.company, c.photo_key,
       f.event_id, e.name AS event_name, f.sharing,
       -- Their card asks first and they have yet to accept me (awaits_accept() in
       -- server/contacts/contacts.py): the list says so, as their page does.
       coalesce((SELECT theirs.sharing = 'pending' FROM contacts theirs
                 WHERE theirs.owner_id = f.contact_id AND theirs.contact_id = f.owner_id),
                false) AS waiting
FROM found f
CROSS JOIN LATERAL shared_card(f.contact_id, f.owner_id) c
LEFT JOIN events e ON e.id = f.event_id
ORDER BY f.tier, f.met_at DESC, f.id DESC

-- name: filter_event^
-- The event the list is filtered by (:event_id), for the "Where we met" menu when it is not
-- among my latest events there (one I left, or an older one): only one of mine, organised,
-- joined (left or removed since) or where I met a contact; nothing for any other id, whose
-- name is not mine to read.
SELECT e.id, e.name, e.starts_at
FROM events e
WHERE e.id = :event_id
  AND (e.organizer_id = :owner_id
       OR EXISTS (SELECT 1 FROM event_attendees ea
                  WHERE ea.event_id = e.id AND ea.account_id = :owner_id)
       OR EXISTS (SELECT 1 FROM contacts ct
                  WHERE ct.owner_id = :owner_id AND ct.event_id = e.id))

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

-- name: hold_pair_followups!
-- The follow-ups between :owner_id and :other_id (both ways) held, in id order, before their
-- contact rows and accounts: by a Remove (before remove), a Block and a "Decline and block"
-- (before blocks.hold_both and blocks.block, whose cascade deletes them), each in a statement
-- of its own. A worker queueing a reminder holds its follow-up (deliveries.take_due to
-- enqueue_taken): waited for here, so that remove's own snapshot, taken after, sees the
-- pushes and emails it queued and keeps them for Undo (taken before, it kept the follow-up as
-- queued and missed its rows, which the cascade deleted: after Undo nobody was reminded). The
-- follow-ups first, as everything else takes them before what they hang off: a merge
-- (lock_merge() in logic.sql) and the deleting of either account (hold_to_delete()), each
-- holding the follow-ups others keep about the account with its own, hold them, then the
-- account, and reach the contact rows after it. Held the other way round (the accounts and
-- contact rows, then the follow-ups by the cascade), a deleting of the other person's account
-- holding theirs waited for what this held while this waited for it, in a circle, and one of
-- the two failed (a 503). Now whichever holds them first is waited for.
SELECT 1 FROM followups f
WHERE f.contact_id IN (
    SELECT ct.id FROM contacts ct
    WHERE (ct.owner_id, ct.contact_id) IN ((:owner_id::bigint, :other_id::bigint),
                                           (:other_id::bigint, :owner_id::bigint)))
ORDER BY f.id
FOR UPDATE OF f

-- name: remove$
-- :owner_id removes :other_id: both contact rows go at once, with their follow-ups, the pushes
-- and reminder emails of those (by cascade) and a "You met" email still queued between the two.
-- Everything needed to put it back is kept until :undo_seconds from now. Returns the removal's
-- id, or NULL when there was nothing to remove (the other side removed it first, or deleted
-- their account). Run after lock_pair and hold_pair_followups, in their transaction.
-- A request to connect still waiting between the two (one made before swaps answered them,
-- as connect does) is accepted now, as the swap had it: it must not come back to either of
-- them once they are apart, nor its Accept connect them again. So is one declined (before
-- swaps answered those, migration 0062): to its asker it would read as waiting again. Undo
-- leaves it answered: the connection it asked for is what comes back.
WITH pair AS (
    SELECT ct.* FROM contacts ct
    WHERE (ct.owner_id, ct.contact_id) IN ((:owner_id::bigint, :other_id::bigint),
                                           (:other_id::bigint, :owner_id::bigint))
    -- The other side removing at the same moment waits, then finds nothing.
    FOR UPDATE
), followup AS (
    -- Locked before their pushes and emails, as the cascade below and push_not_sent() take
    -- them (the other way round, each would wait for the other).
    SELECT f.* FROM followups f WHERE f.contact_id IN (SELECT id FROM pair)
    ORDER BY f.id FOR UPDATE
), delivery AS (
    -- Locked, so that one a worker claimed a moment ago is kept as 'sending' (as it is), not
    -- as the 'queued' this statement's snapshot still shows: Undo must not send it again.
    SELECT d.* FROM deliveries d WHERE d.followup_id IN (SELECT id FROM followup)
    ORDER BY d.id FOR UPDATE
), email AS (
    SELECT m.* FROM emails m
    WHERE m.followup_id IN (SELECT id FROM followup)
       OR (m.kind = 'met' AND m.status = 'queued'
           AND (m.account_id, m.about_id) IN ((:owner_id::bigint, :other_id::bigint),
                                              (:other_id::bigint, :owner_id::bigint)))
    ORDER BY m.id FOR UPDATE
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
), settled AS (
    UPDATE connect_requests SET status = 'accepted', decided_at = now()
    WHERE least(from_id, to_id) = least(:owner_id::bigint, :other_id::bigint)
      AND greatest(from_id, to_id) = greatest(:owner_id::bigint, :other_id::bigint)
      AND status IN ('pending', 'declined') AND withdrawn_at IS NULL
      AND EXISTS (SELECT 1 FROM pair)
)
SELECT id FROM kept

-- name: person_of$
-- The other person of my contact row :id, for Remove and Block: from the row, or, when a
-- Remove (theirs or mine) took it a moment ago and its Undo is still open, from what that
-- removal kept of it. A page of theirs opened before they removed me still blocks them (or
-- removes them for good); a 404 there, and their Undo put them back in my list. NULL when
-- neither: not mine, or gone for good.
SELECT contact_id FROM contacts WHERE id = :id AND owner_id = :owner_id
UNION ALL
(SELECT CASE WHEN r.remover_id = :owner_id THEN r.other_id ELSE r.remover_id END
 FROM contact_removals r
 WHERE (r.remover_id = :owner_id OR r.other_id = :owner_id) AND r.undo_until > now()
   AND r.contacts @> jsonb_build_array(jsonb_build_object('id', :id::bigint,
                                                          'owner_id', :owner_id::bigint))
 ORDER BY r.removed_at DESC, r.id DESC
 LIMIT 1)
LIMIT 1

-- name: merged_into^
-- Whom :other_id became, for Remove and Block from a page of mine opened before a merge took
-- their card into another account (merge_accounts() in logic.sql): the account kept
-- (merged_accounts; a chain is pointed at its last account by each merge, so one row is the
-- end of it), and whether I have a contact row with it. Nothing when :other_id was not
-- merged away (deleted, or still there).
SELECT m.target,
       EXISTS (SELECT 1 FROM contacts ct
               WHERE ct.owner_id = :owner_id AND ct.contact_id = m.target) AS in_list
FROM merged_accounts m
WHERE m.source = :other_id

-- name: keep_removed!
-- :owner_id removes :other_id, who removed them a moment ago: both want them apart, so that
-- removal's Undo ends now (it said "too late"), or it would put back what :owner_id removed.
-- Run holding lock_pair, after remove found nothing: an Undo at the same moment is either
-- done (and remove found the rows back) or waits, and then finds this.
UPDATE contact_removals SET undo_until = now()
WHERE remover_id = :other_id AND other_id = :owner_id AND undo_until > now()

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
-- swapped again within the window) stays, with its id, and gets back what the removed one held:
-- the note, promise and ask where it has none of its own, the first meeting (when and at which
-- event) and the earlier follow-up's state (done, snoozed or due as it was: the fresh one would
-- remind as if they had only just met), with that follow-up's pushes and emails. Never shared
-- more than before: a row that showed them name and headline only shows only those again.
-- A push or email a worker was sending at the removal comes back as sent: it went (or at worst
-- was lost), and back as 'sending' its run-out lease would have it sent again. A device or
-- address that went meanwhile gets nothing back. Returns my contact row for them, or NULL when
-- it is too late. Run after lock_removal_pair (the pair's follow-ups and both accounts held
-- first, as the deleting of either takes them), in its transaction, with the other person it
-- held (:other_id): a merge that moved the removal to the account it kept while the Undo
-- waited leaves it unheld (a block by that account at the same moment, not waited for,
-- stood between the two contacts put back), so it reads as gone (removal_moved tells).
WITH taken AS (
    DELETE FROM contact_removals
    WHERE id = :id AND remover_id = :owner_id AND other_id = :other_id AND undo_until > now()
      AND NOT blocked_between(remover_id, other_id)
    RETURNING *
), old_contact AS (
    -- An event deleted meanwhile: where they met is forgotten, the contact is not.
    SELECT r.* FROM taken
    CROSS JOIN LATERAL jsonb_array_elements(taken.contacts) AS elem
    CROSS JOIN LATERAL jsonb_populate_record(
        NULL::contacts,
        elem || CASE WHEN EXISTS (SELECT 1 FROM events e
                                  WHERE e.id = (elem ->> 'event_id')::bigint)
                     THEN '{}' ELSE '{"event_id": null}' END::jsonb) AS r
), contact_back AS (
    INSERT INTO contacts OVERRIDING SYSTEM VALUE
    SELECT o.* FROM old_contact o
    WHERE NOT EXISTS (SELECT 1 FROM contacts x
                      WHERE x.owner_id = o.owner_id AND x.contact_id = o.contact_id)
    RETURNING id, owner_id
), contact_merged AS (
    UPDATE contacts x
    SET note = CASE WHEN x.note = '' THEN o.note ELSE x.note END,
        note_updated_at = CASE WHEN x.note = '' THEN o.note_updated_at
                               ELSE x.note_updated_at END,
        promised = CASE WHEN x.promised = '' THEN o.promised ELSE x.promised END,
        they_asked = CASE WHEN x.they_asked = '' THEN o.they_asked ELSE x.they_asked END,
        met_at = least(o.met_at, x.met_at),
        event_id = CASE WHEN o.met_at <= x.met_at THEN o.event_id ELSE x.event_id END,
        -- 'pending' stays: accepting is what releases their held "You met" email.
        sharing = CASE WHEN x.sharing = 'all' AND o.sharing = 'basics' THEN 'basics'
                       ELSE x.sharing END
    FROM old_contact o
    WHERE x.owner_id = o.owner_id AND x.contact_id = o.contact_id
    RETURNING x.id, o.id AS old_id
), old_followup AS (
    SELECT r.* FROM taken
    CROSS JOIN LATERAL jsonb_populate_recordset(NULL::followups, taken.followups) r
), followup_back AS (
    INSERT INTO followups OVERRIDING SYSTEM VALUE
    SELECT f.* FROM old_followup f
    WHERE f.contact_id IN (SELECT id FROM contact_back)
    RETURNING id
), followup_merged AS (
    -- The fresh follow-up keeps its id (an identity cannot be set back); a round it already
    -- queued is not queued again.
    UPDATE followups fx
    SET status = f.status, due_at = f.due_at, round = f.round, snoozed = f.snoozed,
        done_at = f.done_at, queued_round = greatest(fx.queued_round, f.queued_round),
        queued_at = coalesce(f.queued_at, fx.queued_at), updated_at = f.updated_at
    FROM old_followup f JOIN contact_merged m ON m.old_id = f.contact_id
    WHERE fx.contact_id = m.id
    RETURNING fx.id, f.id AS old_id
), followup_to AS (
    -- Where each old follow-up's pushes and emails go back to.
    SELECT id AS old_id, id AS new_id FROM followup_back
    UNION ALL
    SELECT old_id, id FROM followup_merged
), delivery_back AS (
    INSERT INTO deliveries OVERRIDING SYSTEM VALUE
    SELECT r.* FROM taken
    CROSS JOIN LATERAL jsonb_array_elements(taken.deliveries) AS elem
    JOIN followup_to t ON t.old_id = (elem ->> 'followup_id')::bigint
    CROSS JOIN LATERAL jsonb_populate_record(
        NULL::deliveries,
        elem || jsonb_build_object('followup_id', t.new_id)
             || CASE WHEN elem ->> 'status' = 'sending'
                     THEN jsonb_build_object('status', 'sent', 'lease_until', NULL,
                                             'sent_at', taken.removed_at)
                     ELSE '{}' END) AS r
    WHERE r.subscription_id IS NULL
       OR EXISTS (SELECT 1 FROM push_subscriptions s WHERE s.id = r.subscription_id)
    -- One the fresh follow-up already queued for that round and device stays.
    ON CONFLICT DO NOTHING
), email_back AS (
    INSERT INTO emails OVERRIDING SYSTEM VALUE
    SELECT r.* FROM taken
    CROSS JOIN LATERAL jsonb_array_elements(taken.emails) AS elem
    LEFT JOIN followup_to t ON t.old_id = (elem ->> 'followup_id')::bigint
    CROSS JOIN LATERAL jsonb_populate_record(
        NULL::emails,
        elem || CASE WHEN t.new_id IS NULL THEN '{}'
                     ELSE jsonb_build_object('followup_id', t.new_id) END
             || CASE WHEN elem ->> 'status' = 'sending'
                     THEN jsonb_build_object('status', 'sent', 'lease_until', NULL,
                                             'sent_at', taken.removed_at)
                     ELSE '{}' END) AS r
    WHERE (t.new_id IS NOT NULL OR (r.kind = 'met' AND EXISTS (SELECT 1 FROM contact_back)))
      AND EXISTS (SELECT 1 FROM email_addresses a WHERE a.address = r.to_address)
    ON CONFLICT DO NOTHING
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

-- name: kept
-- Of the contact rows :ids (the pages of them a phone keeps for offline), those still
-- :owner_id's, each with the other person's card as they share it with me now, as get has
-- it: a row missing was removed or blocked since, or its person deleted their account.
SELECT ct.id, c.name, c.headline, c.company, c.email, c.phone, c.linkedin, c.website,
       c.other_link, c.looking_for, c.can_help_with, c.photo_key, c.whole
FROM contacts ct
CROSS JOIN LATERAL shared_card(ct.contact_id, ct.owner_id) c
WHERE ct.owner_id = :owner_id AND ct.id = ANY(:ids::bigint[])

-- name: kept_requests
-- Of the requests to connect :ids (kept pages show them: Requests, an event's people), those
-- Requests still shows :owner_id as waiting for their answer (requests.incoming's rule): one
-- missing was withdrawn or answered since, a block stands between the two, or its asker
-- deleted their account (the row went with it).
SELECT r.id
FROM open_requests(:owner_id) r
WHERE r.id = ANY(:ids::bigint[])
  AND r.from_id NOT IN (SELECT h.account_id FROM blocked_with(:owner_id) h)

-- name: kept_people
-- Of the people :account_ids at the events :event_ids (pairs, in order: kept pages of an
-- event's people show them), those still on that list for :owner_id, as the page shows it:
-- :owner_id at the event, its list still open (:roster_days after its end, as events.get),
-- and they listed, present, no block either way (roster_people() in logic.sql, as
-- requests.can_ask). One missing left or was removed, is no longer listed, blocked me or I
-- them, or deleted their account.
SELECT p.event_id, p.account_id
FROM unnest(:event_ids::bigint[], :account_ids::bigint[]) AS p(event_id, account_id)
JOIN events e ON e.id = p.event_id
WHERE now() <= e.ends_at + make_interval(days => :roster_days)
  AND p.account_id <> :owner_id
  AND EXISTS (SELECT 1 FROM event_attendees me
              WHERE me.event_id = p.event_id AND me.account_id = :owner_id
                AND me.left_at IS NULL)
  AND EXISTS (SELECT 1 FROM roster_people(p.event_id, :owner_id) r
              WHERE r.account_id = p.account_id)

-- name: kept_sent
-- Of the requests to connect :ids that :owner_id sent (kept pages show them: "Sent by you" on
-- Requests, by their Withdraw), those "Sent by you" still shows (sent_requests() in logic.sql,
-- as requests.sent): one missing was withdrawn (on another phone) or accepted, its person is
-- in my contacts now or blocked by me, or deleted their account (the row went with it). One
-- they blocked me over stays, as on the page: a block reads as a decline there, and its going
-- would tell.
SELECT r.id
FROM sent_requests(:owner_id) r
WHERE r.id = ANY(:ids::bigint[])
