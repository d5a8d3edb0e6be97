-- name: create$
-- Ask to connect; queues the push for every device of the person asked, in one statement:
-- at once while the event is on, closed or not (its hours with event_grace() either side, as
-- current_event() reads them: an evening mixer's requests are for the room, now; closing
-- stops newcomers, and those there go on meeting), and
-- otherwise at a waking hour of theirs (waking_hour() in logic.sql: someone browsing the
-- list days later, in another time zone, wakes nobody; it goes at 09:00 their time).
-- Asking again after withdrawing brings the same request back, and notifies nobody who was
-- notified: a request sent, withdrawn and sent again is not a second push on their phone; one
-- withdrawn before its push went (skipped) is queued again, as a new one would be. Returns
-- nothing when a request between the two is waiting, or when they declined one from me
-- (asking again would notify them again, and declining is meant to end it); a declined one I
-- withdrew comes back the same way as a waiting one would, still declined. Run holding
-- lock_between: a request revived is an UPDATE, which ON CONFLICT does not cover, so without
-- the lock the other's request made at the same moment is a unique violation.
-- Nothing either unless both are at the event still, as the route checked before (the asker
-- present, the one asked listed and present): an organizer's Remove of either at the same
-- moment would leave a request waiting from, or for, someone out of it (remove_attendee
-- withdraws only those it sees). FOR SHARE: a Remove under way is waited for, and its row
-- read as it left it.
WITH present AS (
    SELECT count(*) AS n FROM (
        SELECT 1 FROM event_attendees ea
        WHERE ea.event_id = :event_id AND ea.left_at IS NULL AND ea.removed_at IS NULL
          AND (ea.account_id = :from_id OR (ea.account_id = :to_id AND ea.listed))
        ORDER BY ea.account_id
        FOR SHARE
    ) both_there
), revived AS (
    UPDATE connect_requests r
    SET withdrawn_at = NULL, event_id = :event_id,
        created_at = CASE WHEN r.status = 'pending' THEN now() ELSE r.created_at END
    WHERE (SELECT n FROM present) = 2
      AND r.id = (SELECT w.id FROM connect_requests w
                  WHERE w.from_id = :from_id AND w.to_id = :to_id
                    AND w.status IN ('pending', 'declined') AND w.withdrawn_at IS NOT NULL
                  ORDER BY w.created_at DESC, w.id DESC LIMIT 1)
      AND NOT EXISTS (SELECT 1 FROM connect_requests o
                      WHERE o.from_id = :to_id AND o.to_id = :from_id
                        AND o.status = 'pending' AND o.withdrawn_at IS NULL)
    RETURNING r.id, r.to_id, r.status
), made AS (
    INSERT INTO connect_requests (event_id, from_id, to_id)
    SELECT :event_id, :from_id, :to_id
    WHERE (SELECT n FROM present) = 2
      AND NOT EXISTS (SELECT 1 FROM connect_requests
                      WHERE from_id = :from_id AND to_id = :to_id
                        AND (status = 'declined' OR withdrawn_at IS NOT NULL))
    ON CONFLICT DO NOTHING
    RETURNING id, to_id
), unheard AS (
    -- The one made now, or one revived waiting whose push neither went nor waits to go.
    SELECT id, to_id FROM made
    UNION ALL
    SELECT id, to_id FROM revived
    WHERE status = 'pending'
      AND NOT EXISTS (SELECT 1 FROM deliveries d
                      WHERE d.request_id = revived.id AND d.status IN ('queued', 'sending', 'sent'))
), queued AS (
    INSERT INTO deliveries (request_id, subscription_id, next_attempt_at)
    SELECT unheard.id, s.id,
           CASE WHEN EXISTS (SELECT 1 FROM events e
                             WHERE e.id = :event_id
                               AND now() BETWEEN e.starts_at - event_grace()
                                             AND e.ends_at + event_grace())
                THEN now()
                ELSE waking_hour(coalesce(a.time_zone, 'UTC'), now())
           END
    FROM unheard
    JOIN accounts a ON a.id = unheard.to_id
    -- Her devices in use (reminder_devices()): one whose session ended would only be skipped.
    CROSS JOIN LATERAL reminder_devices(unheard.to_id) s
    -- A device's push skipped at the withdrawal: queued again, from its first attempt.
    ON CONFLICT (request_id, subscription_id) WHERE request_id IS NOT NULL DO UPDATE
    SET status = 'queued', next_attempt_at = excluded.next_attempt_at, attempts = 0,
        lease_until = NULL, leased_by = NULL, last_status = NULL, last_error = ''
)
SELECT id FROM made
UNION ALL
SELECT id FROM revived

-- name: incoming
-- Requests waiting for my answer, newest first, with what the asker shares on a roster:
-- :limit of them, after the one made at :after_at with id :after_id (both NULL: the newest).
-- Not one whose asker has me in their contacts now (open_requests() in logic.sql): we swapped
-- since (a QR code, a link), as their "Sent by you" says (sent, below), and nothing is left to
-- accept.
SELECT r.id, r.created_at, e.name AS event_name, c.name, c.headline, c.company,
       c.looking_for, c.can_help_with, c.photo_key
FROM open_requests(:account_id) r
JOIN cards c ON c.account_id = r.from_id
JOIN events e ON e.id = r.event_id
WHERE r.from_id NOT IN (SELECT account_id FROM blocked_with(:account_id))
  AND (:after_at::timestamptz IS NULL OR (r.created_at, r.id) < (:after_at, :after_id::bigint))
ORDER BY r.created_at DESC, r.id DESC
LIMIT :limit

-- name: sent
-- My requests not answered as far as I know, and not withdrawn, newest first: :limit of them,
-- after the one made at :after_at with id :after_id (both NULL: the newest), as incoming pages.
-- A declined one reads the same, declining being silent. Not someone in my contacts now (we
-- swapped since), nor anyone I blocked; someone who blocked me, as a decline (a block declines
-- it): that it went would tell (sent_requests() in logic.sql, the one rule, which
-- contacts.kept_sent checks kept copies by). Their name only, not their card as it is now
-- (they may have left the list of people since).
-- One to someone the organizer then removed from the event it was made at stays, marked
-- (``removed``): the removal withdrew it (events.remove_attendee), and gone from here it read
-- as if she had withdrawn it herself. Told apart from hers by its moment: the removal's
-- statement withdraws it at the very moment it marks them removed (her Withdraw keeps the
-- moment it was first withdrawn). A declined one to them is marked alike: were it not, that
-- it stayed as sent would tell the decline. Shown with nothing to withdraw; retention deletes
-- it in time as any withdrawn request (retention.answered_requests), and asking them again
-- (at another event) brings it back as sent. Not to someone in my contacts or blocked by me,
-- as sent_requests().
WITH mine AS (
    SELECT r.id, r.created_at, r.event_id, r.to_id, r.name
    FROM sent_requests(:account_id) r
    UNION ALL
    SELECT r.id, r.created_at, r.event_id, r.to_id, c.name
    FROM connect_requests r
    JOIN event_attendees ea ON ea.event_id = r.event_id AND ea.account_id = r.to_id
    JOIN cards c ON c.account_id = r.to_id
    WHERE r.from_id = :account_id AND r.status IN ('pending', 'declined')
      AND r.withdrawn_at = ea.removed_at
      AND r.to_id NOT IN (SELECT b.blocked_id FROM blocks b WHERE b.blocker_id = :account_id)
      AND NOT EXISTS (SELECT 1 FROM contacts ct
                      WHERE ct.owner_id = :account_id AND ct.contact_id = r.to_id)
)
SELECT m.id, m.created_at, e.name AS event_name, m.name,
       EXISTS (SELECT 1 FROM event_attendees ea
               WHERE ea.event_id = m.event_id AND ea.account_id = m.to_id
                 AND ea.removed_at IS NOT NULL) AS removed
FROM mine m
JOIN events e ON e.id = m.event_id
WHERE (:after_at::timestamptz IS NULL OR (m.created_at, m.id) < (:after_at, :after_id::bigint))
ORDER BY m.created_at DESC, m.id DESC
LIMIT :limit

-- name: lock_pair$
-- lock_pair (logic.sql) for the two of request :id made to :to_id, before it is decided: a
-- block between them at the same moment (which withdraws or declines this request) waits, as
-- does this for it, in the order the block takes them. Returns who asked (nothing when no
-- such request is left), for hold_both; read, not held: the request is held by `decide`.
SELECT from_id, lock_pair(from_id, to_id) FROM connect_requests WHERE id = :id AND to_id = :to_id

-- name: hold_both!
-- Before `decide`, in a statement of its own: the asker's and my accounts held until the
-- transaction ends, in id order (KEY SHARE, as the contact rows an accept makes, and a block,
-- check them). The order the deleting of either account takes them in: it holds what its
-- cascade reaches (hold_to_delete() in logic.sql), then the account FOR UPDATE, and reaches
-- this request by its cascade. Held the other way round (the request, then the accounts by
-- an accept's inserts or a block), a deleting holding the account waited for the request
-- while the answer waited for the account, in a circle: one of the two failed (a 503). Now
-- a deleting under way is waited for, and the request is then gone with it (`decide` finds
-- nothing, as when it went before the press); one begun meanwhile waits for the answer.
SELECT 1 FROM accounts WHERE id IN (:from_id::bigint, :to_id::bigint) ORDER BY id FOR KEY SHARE

-- name: decide^
-- Accept or decline a request made to me; returns who asked and at which event. Only while
-- :from_id still asks, the asker lock_pair read (and hold_both held): a merge of that card
-- into another account meanwhile (merge_accounts() in logic.sql) moved the request to the
-- account it kept, which this answer holds nothing of; answered there, an Accept or a block
-- waited for that account's own block or deleting while it waited for the request, in a
-- circle (a 503), or went on between the wrong two. Moved, it reads as gone ("not waiting").
UPDATE connect_requests SET status = :status, decided_at = now()
WHERE id = :id AND to_id = :to_id AND from_id = :from_id AND status = 'pending'
  AND withdrawn_at IS NULL
RETURNING from_id, event_id

-- name: withdraw$
-- The sender takes back a request not answered as far as they know (a declined one too: to
-- them it reads as waiting). Returns whom it was for; again once withdrawn, the same (a
-- second tap), keeping when it was first withdrawn. Nothing for an accepted request, or one
-- not sent by :from_id.
UPDATE connect_requests SET withdrawn_at = coalesce(withdrawn_at, now())
WHERE id = :id AND from_id = :from_id AND status IN ('pending', 'declined')
RETURNING to_id

-- name: can_ask$
-- Whether :other_id is someone :viewer_id sees on event :event_id's roster: listed, present, no
-- block either way (roster_people() in logic.sql, the one rule).
SELECT EXISTS (SELECT 1 FROM roster_people(:event_id, :viewer_id) r
               WHERE r.account_id = :other_id)

-- name: waiting_from$
-- The request :from_id made to :to_id that waits for their answer, if any.
SELECT request_waiting(:from_id, :to_id)

-- name: lock_between!
-- lock_pair (logic.sql) for :from_id asking :to_id, before looking for a request between
-- them and making one: the other asking at the same moment waits, then finds this one (and
-- accepts it) rather than both making one and the one-pending-per-pair index refusing the
-- second. A decision or block on the pair waits the same way.
SELECT lock_pair(:from_id, :to_id)

-- name: sent_to$
-- Whether :from_id asked :to_id already and reads it as waiting (request_sent(), logic.sql):
-- a second tap of "Request to connect" is the same request, not another.
SELECT request_sent(:from_id, :to_id)

-- name: withdrawn_to$
-- Whether :from_id withdrew a request to :to_id that create would bring back (one waiting or
-- declined): asked again, it is the same request, which :to_id's limit counted once already.
-- Run holding lock_between, as create is, so what it says is what create then does.
SELECT EXISTS (SELECT 1 FROM connect_requests
               WHERE from_id = :from_id AND to_id = :to_id
                 AND status IN ('pending', 'declined') AND withdrawn_at IS NOT NULL)

-- name: answered^
-- Request :id made to :to_id by :from_id, answered already (a second tap, or another
-- device): how, and for one accepted, the asker in my contacts (NULL if deleted since). Moved
-- to another asker by a merge meanwhile, nothing, as decide: a "Decline and block" of one
-- declined before would block the account kept, which the answer holds nothing of.
SELECT r.status, r.from_id, ct.id AS contact_id
FROM connect_requests r
LEFT JOIN contacts ct ON ct.owner_id = :to_id AND ct.contact_id = r.from_id
WHERE r.id = :id AND r.to_id = :to_id AND r.from_id = :from_id
  AND r.status IN ('accepted', 'declined')
