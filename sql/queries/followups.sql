-- name: for_contact^
-- The follow-up on one of my contacts, with whether a reminder of it could not be delivered
-- (to a device, by email: push_undelivered() and email_undelivered() in logic.sql).
SELECT f.id, f.status, f.due_at, f.snoozed, f.done_at, f.round,
       push_undelivered(f.id, f.owner_id, f.round, f.due_at) AS push_undelivered,
       email_undelivered(f.id, f.owner_id, f.round, f.due_at) AS email_undelivered
FROM followups f
WHERE f.contact_id = :contact_id AND f.owner_id = :owner_id

-- name: list_open
-- My open follow-ups (only those from event :event_id when given), each with what I know
-- about the person (their card as they share it with me) and whether a reminder could not be
-- delivered; soonest first. Those due (is_due) and those coming up are limited apart: the
-- :due_limit due most recently and the next :later_limit, so hundreds left overdue never push
-- the person just met off the page (open_counts says how many were left out). Each half
-- reads followups_owner_due in order; the cards and deliveries are looked up for shown rows only.
SELECT f.id, f.status, f.due_at, f.snoozed, f.contact_id, f.is_due, f.met_at, f.promised,
       f.they_asked, c.name, c.headline, c.company, c.photo_key,
       push_undelivered(f.id, f.owner_id, f.round, f.due_at)
           OR email_undelivered(f.id, f.owner_id, f.round, f.due_at) AS delivery_failed
FROM (
    (SELECT f.id, f.owner_id, f.round, f.status, f.due_at, f.snoozed, f.contact_id,
            ct.contact_id AS person_id, ct.met_at, ct.promised, ct.they_asked, true AS is_due
     FROM followups f
     JOIN contacts ct ON ct.id = f.contact_id
     WHERE f.owner_id = :owner_id AND f.status = 'open' AND f.due_at <= now()
       AND (:event_id::bigint IS NULL OR ct.event_id = :event_id)
     ORDER BY f.due_at DESC, f.id DESC
     LIMIT :due_limit)
    UNION ALL
    (SELECT f.id, f.owner_id, f.round, f.status, f.due_at, f.snoozed, f.contact_id,
            ct.contact_id, ct.met_at, ct.promised, ct.they_asked, false
     FROM followups f
     JOIN contacts ct ON ct.id = f.contact_id
     WHERE f.owner_id = :owner_id AND f.status = 'open' AND f.due_at > now()
       AND (:event_id::bigint IS NULL OR ct.event_id = :event_id)
     ORDER BY f.due_at, f.id
     LIMIT :later_limit)
) f
CROSS JOIN LATERAL shared_card(f.person_id, f.owner_id) c
ORDER BY f.due_at, f.id

-- name: open_counts^
-- How many of my open follow-ups are due and coming up (only from event :event_id when
-- given): asked only when list_open showed as many as its limit. Counted from
-- followups_owner_due alone (an index-only scan) unless filtered by event.
SELECT count(*) FILTER (WHERE f.due_at <= now()) AS due,
       count(*) FILTER (WHERE f.due_at > now()) AS later
FROM followups f
WHERE f.owner_id = :owner_id AND f.status = 'open'
  AND (:event_id::bigint IS NULL
       OR EXISTS (SELECT FROM contacts ct WHERE ct.id = f.contact_id AND ct.event_id = :event_id))

-- name: event_name$
-- The name of event :event_id, when :owner_id was there (joined it, or met someone there):
-- the follow-ups page filtered to it says so (a digest's link opens it).
SELECT e.name FROM events e
WHERE e.id = :event_id
  AND (EXISTS (SELECT FROM event_attendees ea WHERE ea.event_id = e.id AND ea.account_id = :owner_id)
       OR EXISTS (SELECT FROM contacts ct WHERE ct.owner_id = :owner_id AND ct.event_id = e.id))

-- name: mark_done$
-- Done: it leaves the list; returns the row when it was mine and open. One off or done
-- already stays as it is (its reminder off stays off), and nothing is offered to undo:
-- reopen would turn a reminder back on that she had turned off.
UPDATE followups SET status = 'done', done_at = now(), updated_at = now()
WHERE id = :id AND owner_id = :owner_id AND status = 'open'
RETURNING id

-- name: reopen$
-- Undo "done" or "off": open again, due when it was, in the same round. A reminder already
-- queued for that round (queued_round = round) is not queued again; one not yet due is
-- queued when it falls due, as it would have been.
UPDATE followups SET status = 'open', done_at = NULL, updated_at = now()
WHERE id = :id AND owner_id = :owner_id
RETURNING id

-- name: turn_off$
-- No reminder for this contact: an open follow-up only, as mark_done (a stale page's "No
-- reminder" on one done elsewhere leaves it done, with nothing to undo: reopen would list
-- it again).
UPDATE followups SET status = 'off', updated_at = now()
WHERE id = :id AND owner_id = :owner_id AND status = 'open'
RETURNING id

-- name: snooze^
-- Due again at :due_at: a new round, so every device is reminded again then. Returns the
-- round and due time it made, and what it was before (was_*, read under the row's lock): an
-- Undo puts those back (unsnooze).
WITH was AS (
    SELECT id, status, due_at, snoozed FROM followups
    WHERE id = :id AND owner_id = :owner_id
    FOR UPDATE
)
UPDATE followups f
SET status = 'open', due_at = :due_at, snoozed = true, round = f.round + 1, done_at = NULL,
    updated_at = now()
FROM was
WHERE f.id = was.id
RETURNING f.id, f.round, f.due_at, was.status AS was_status, was.due_at AS was_due_at,
          was.snoozed AS was_snoozed

-- name: snooze_days^
-- Due again :days days from today at 09:00 in the owner's time zone; returns as snooze does.
WITH was AS (
    SELECT id, status, due_at, snoozed FROM followups
    WHERE id = :id AND owner_id = :owner_id
    FOR UPDATE
)
UPDATE followups f
SET status = 'open', snoozed = true, round = f.round + 1, done_at = NULL, updated_at = now(),
    due_at = morning_after(a.time_zone, now(), :days)
FROM was, accounts a
WHERE f.id = was.id AND a.id = f.owner_id
RETURNING f.id, f.round, f.due_at, was.status AS was_status, was.due_at AS was_due_at,
          was.snoozed AS was_snoozed

-- name: unsnooze$
-- Undo a snooze of an open follow-up: due at :due_at again, snoozed as :snoozed, in the
-- round before the one the snooze made (:round, due :until), as if it had never been
-- snoozed. Only while it is open and as that snooze left it: not yet reminded in that round
-- (queued_round), not snoozed again, done, or moved since (its due time); else nothing
-- changes, and NULL says so. Returns its id.
-- No reminder twice, none lost: the round put back keeps what the worker did in it. Reminded
-- already (queued_round), it is not queued again (deliveries.take_due); not yet, it is
-- queued when it falls due, as it would have been. A push or an email of that round that
-- came up while it was snoozed was skipped (the worker's round check): queued again, at once,
-- unless one of that round already reached her (sent, or on its way), by either way.
WITH undone AS (
    UPDATE followups f
    SET due_at = :due_at, snoozed = :snoozed, round = f.round - 1, updated_at = now()
    WHERE f.id = :id AND f.owner_id = :owner_id AND f.status = 'open'
      AND f.round = :round AND f.due_at = :until AND f.queued_round < f.round
    RETURNING f.id, f.round
), heard AS (
    SELECT EXISTS (SELECT FROM deliveries d JOIN undone u ON d.followup_id = u.id
                   WHERE d.round = u.round AND d.status IN ('sent', 'sending'))
           OR EXISTS (SELECT FROM emails e JOIN undone u ON e.followup_id = u.id
                      WHERE e.kind = 'reminder' AND e.round = u.round
                        AND e.status IN ('sent', 'sending')) AS already
), revived_pushes AS (
    -- The claim counted an attempt that sent nothing: given back, as release does.
    UPDATE deliveries d
    SET status = 'queued', attempts = greatest(d.attempts - 1, 0), lease_until = NULL
    FROM undone u, heard
    WHERE d.followup_id = u.id AND d.round = u.round AND d.status = 'skipped'
      AND NOT heard.already
), revived_emails AS (
    UPDATE emails e
    SET status = 'queued', attempts = greatest(e.attempts - 1, 0), lease_until = NULL
    FROM undone u, heard
    WHERE e.kind = 'reminder' AND e.followup_id = u.id AND e.round = u.round
      AND e.status = 'skipped' AND NOT heard.already
)
SELECT id FROM undone

-- name: upcoming_for_calendar
-- Follow-ups for the calendar file, with the contact's name, my promise and where we met,
-- soonest first: every open one coming up (up to :later_limit), and only the :overdue_limit due
-- most recently, so hundreds left overdue never crowd out the person just met (each half reads
-- followups_owner_due in order); and those done or turned off in the last :cancelled_days (the
-- :cancelled_limit latest), for the file to cancel in a calendar that imported them open.
-- updated_at moves on every change of status or due_at (done, off, undo, snooze, a zone
-- move): the file's SEQUENCE is made from it.
-- Then, as status 'gone', those that went with their contact in the last :cancelled_days
-- (gone_followups, migration 0061; the :cancelled_limit latest): no name, only the UID's id
-- and when it was due, to cancel too. One an Undo put back (the same id) is the live row's:
-- left out here, and its updated_at a second past when it went, so it comes back open with a
-- SEQUENCE above the cancellation's in a file made meanwhile.
SELECT f.id, f.due_at, f.contact_id, f.status,
       greatest(f.updated_at, g.gone_at + interval '1 second') AS updated_at, c.name,
       ct.promised, ct.they_asked, ct.met_at, e.name AS met_event_name
FROM (
    (SELECT f.id, f.due_at, f.contact_id, f.status, f.updated_at FROM followups f
     WHERE f.owner_id = :owner_id AND f.status = 'open' AND f.due_at <= now()
     ORDER BY f.due_at DESC, f.id DESC
     LIMIT :overdue_limit)
    UNION ALL
    (SELECT f.id, f.due_at, f.contact_id, f.status, f.updated_at FROM followups f
     WHERE f.owner_id = :owner_id AND f.status = 'open' AND f.due_at > now()
     ORDER BY f.due_at, f.id
     LIMIT :later_limit)
    UNION ALL
    (SELECT f.id, f.due_at, f.contact_id, f.status, f.updated_at FROM followups f
     WHERE f.owner_id = :owner_id AND f.status IN ('done', 'off')
       AND f.updated_at > now() - make_interval(days => :cancelled_days)
     ORDER BY f.updated_at DESC, f.id DESC
     LIMIT :cancelled_limit)
) f
JOIN contacts ct ON ct.id = f.contact_id
JOIN cards c ON c.account_id = ct.contact_id
LEFT JOIN events e ON e.id = ct.event_id
LEFT JOIN gone_followups g ON g.followup_id = f.id
UNION ALL
(SELECT g.followup_id, g.due_at, NULL::bigint, 'gone', g.gone_at, NULL::text, NULL::text,
        NULL::text, NULL::timestamptz, NULL::text
 FROM gone_followups g
 WHERE g.owner_id = :owner_id
   AND g.gone_at > now() - make_interval(days => :cancelled_days)
   AND NOT EXISTS (SELECT 1 FROM followups f WHERE f.id = g.followup_id)
 ORDER BY g.gone_at DESC, g.followup_id DESC
 LIMIT :cancelled_limit)
ORDER BY due_at, id

-- name: for_mail_link^
-- The follow-up a "Done" or "Snooze a week" link in an email names, with who it is about.
SELECT f.id, f.round, f.status, f.owner_id, c.name
FROM followups f
JOIN contacts ct ON ct.id = f.contact_id
JOIN cards c ON c.account_id = ct.contact_id
WHERE f.id = :id

-- name: done_once$
-- Done, from a notification's button: only for the round it was about, and only once.
UPDATE followups SET status = 'done', done_at = now(), updated_at = now()
WHERE id = :id AND round = :round AND status = 'open'
RETURNING id

-- name: done_since$
-- Done, from a reminder email: for the round the email was about or a later one (snoozed
-- since, the person still followed up), once; a round before the link's is never touched.
UPDATE followups SET status = 'done', done_at = now(), updated_at = now()
WHERE id = :id AND round >= :round AND status = 'open'
RETURNING id

-- name: snooze_once$
-- Snoozed :days days, from an email: only for the round the email was about, and only once
-- (the snooze starts a new round).
UPDATE followups f
SET round = f.round + 1, snoozed = true, due_at = morning_after(a.time_zone, now(), :days),
    updated_at = now()
FROM accounts a
WHERE f.id = :id AND f.round = :round AND f.status = 'open' AND a.id = f.owner_id
RETURNING f.id

-- name: reminders_reach^
-- Whether a reminder can reach :account_id at all (reminder_channels() in logic.sql): by push
-- to a device that subscribed on a browser still in use (reminder_devices()), or by email to
-- a confirmed address. Follow-ups, a contact's
-- page and its #followup fragment say so when neither: their "Reminder tomorrow at 09:00"
-- would otherwise promise what never comes. Someone who chose no reminders ("neither") is
-- not told: nothing is wrong.
SELECT a.reminders_by IS NOT DISTINCT FROM 'neither'
       OR (ch.by_push AND EXISTS (SELECT 1 FROM reminder_devices(:account_id)))
       OR ch.address IS NOT NULL AS reached,
       coalesce(a.reminders_by, '') AS reminders_by,
       -- Confirmed, and then unsubscribed by its owner: "Email me again", not "confirm".
       EXISTS (SELECT 1 FROM cards c
               JOIN address_confirmations x
                 ON x.address = lower(c.email) AND x.account_id = c.account_id
               JOIN email_addresses ea ON ea.address = x.address
               WHERE c.account_id = a.id AND ea.unsubscribed_at IS NOT NULL) AS unsubscribed,
       -- No address on the card: Settings has nothing to confirm, only "add an email to your
       -- card" (its Email section), so that is what to do.
       EXISTS (SELECT 1 FROM cards c
               WHERE c.account_id = a.id AND coalesce(c.email, '') <> '') AS has_email
FROM accounts a CROSS JOIN LATERAL reminder_channels(a.id) ch
WHERE a.id = :account_id
