-- name: create^
-- A new event: its id (NULL: the join code, made by the caller, is taken; draw again), and
-- whether its organizer's account is there (false: deleted from another browser meanwhile;
-- nothing is made). The account is held until the transaction ends (FOR KEY SHARE), so a
-- deletion waits for it.
WITH organizer AS (
    SELECT a.id FROM accounts a WHERE a.id = :organizer_id FOR KEY SHARE
), made AS (
    INSERT INTO events (organizer_id, name, venue, description, starts_at, ends_at, time_zone, join_code)
    SELECT organizer.id, :name, :venue, :description, :starts_at, :ends_at, :time_zone, :join_code
    FROM organizer
    ON CONFLICT (join_code) DO NOTHING
    RETURNING id
)
SELECT (SELECT id FROM made) AS id, EXISTS (SELECT 1 FROM organizer) AS organizer_found

-- name: hold_for_edit^
-- The organizer edits the event: it is held (FOR NO KEY UPDATE) until the edit is saved. The
-- digest worker skips an event held so (enqueue_digests), and a batch of its under way is
-- waited for here: each statement after this one sees what that batch queued, at the end it
-- read. Joining goes on meanwhile (it takes the event FOR KEY SHARE). What it says before the
-- edit (compared with what the form showed: another tab may have saved since); nothing when it
-- is not this organizer's (deleted from another browser meanwhile).
SELECT e.name, e.venue, e.description, e.starts_at, e.ends_at, e.time_zone
FROM events e WHERE e.id = :id AND e.organizer_id = :organizer_id
FOR NO KEY UPDATE

-- name: hold_waiting_attendees!
-- An edit moving the end: the attendees whose digest was queued, held in the order leaving,
-- Remove and the digest worker take them (before their pushes and emails).
SELECT 1 FROM event_attendees ea
WHERE ea.event_id = :id AND ea.digest_queued_at IS NOT NULL AND ea.left_at IS NULL
ORDER BY ea.account_id
FOR UPDATE

-- name: hold_unsent_digests^
-- Then their digests never tried (queued, no attempt), held so no worker claims them now. One a
-- worker is claiming at this moment is skipped, not waited for: it may be sent, so its attendee
-- is left as is (move_digests).
SELECT ARRAY(SELECT d.id FROM deliveries d
             WHERE d.digest_event_id = :id AND d.status = 'queued' AND d.attempts = 0
             ORDER BY d.id
             FOR UPDATE SKIP LOCKED) AS pushes,
       ARRAY(SELECT m.id FROM emails m
             WHERE m.kind = 'digest' AND m.digest_event_id = :id
               AND m.status = 'queued' AND m.attempts = 0
             ORDER BY m.id
             FOR UPDATE SKIP LOCKED) AS emails

-- name: move_digests$
-- Moving its end moves its digests: one queued already (an end typed too early, then put
-- right) would say "You met N people" while the event still runs, and the worker would not
-- queue it again after the real end. So an attendee whose digest waits, none of it having gone
-- (sent, being sent, or tried, failed or to be tried again: it may have reached them; the rule
-- merge_accounts() in logic.sql keeps), is queued afresh by the worker (enqueue_digests) after
-- the new end: their held pushes and emails (:pushes, :emails from hold_unsent_digests) go
-- (deleted: never tried, they hold nothing, and a row kept would stop the worker's own, one per
-- device and email). Its own statement, after the holds: it reads the rows as they are now.
-- How many attendees' digests were moved.
WITH held AS (
    SELECT d.digest_account_id AS account_id FROM deliveries d WHERE d.id = ANY(:pushes)
    UNION
    SELECT m.account_id FROM emails m WHERE m.id = ANY(:emails)
), again AS (
    SELECT held.account_id FROM held
    WHERE NOT EXISTS (SELECT 1 FROM deliveries d
                      WHERE d.digest_event_id = :id AND d.digest_account_id = held.account_id
                        AND d.status IN ('queued', 'sending', 'sent', 'failed')
                        AND d.id <> ALL(:pushes))
      AND NOT EXISTS (SELECT 1 FROM emails m
                      WHERE m.kind = 'digest' AND m.digest_event_id = :id
                        AND m.account_id = held.account_id
                        AND m.status IN ('queued', 'sending', 'sent', 'failed')
                        AND m.id <> ALL(:emails))
), requeued AS (
    UPDATE event_attendees ea SET digest_queued_at = NULL
    FROM again WHERE ea.event_id = :id AND ea.account_id = again.account_id
      AND ea.digest_queued_at IS NOT NULL AND ea.left_at IS NULL
    RETURNING ea.account_id
), pushes_gone AS (
    DELETE FROM deliveries d USING requeued
    WHERE d.id = ANY(:pushes) AND d.digest_account_id = requeued.account_id
), emails_gone AS (
    DELETE FROM emails m USING requeued
    WHERE m.id = ANY(:emails) AND m.account_id = requeued.account_id
)
SELECT count(*) FROM requeued

-- name: update$
-- The organizer's edit, saved (after hold_for_edit, and move_digests when the end moved).
UPDATE events SET name = :name, venue = :venue, description = :description,
                  starts_at = :starts_at, ends_at = :ends_at, time_zone = :time_zone
WHERE id = :id AND organizer_id = :organizer_id
RETURNING id

-- name: close$
-- The organizer closes the event: nobody can join any more.
UPDATE events SET closed_at = now() WHERE id = :id AND organizer_id = :organizer_id AND closed_at IS NULL
RETURNING id

-- name: get^
-- One event, with how the viewer (:viewer_id) relates to it.
SELECT e.id, e.organizer_id, e.name, e.venue, e.description, e.starts_at, e.ends_at,
       e.time_zone, e.join_code, e.closed_at,
       e.organizer_id = :viewer_id AS is_organizer,
       ea.joined_at, ea.listed, ea.left_at, ea.removed_at,
       (ea.account_id IS NOT NULL AND ea.left_at IS NULL) AS is_attendee,
       now() <= e.ends_at + make_interval(days => :roster_days) AS roster_open
FROM events e
LEFT JOIN event_attendees ea ON ea.event_id = e.id AND ea.account_id = :viewer_id
WHERE e.id = :id

-- name: by_code^
-- The event a join code opens, with how :viewer_id (0: signed out) stands with it: present
-- (its organizer, or attending: a code scanned again opens the event, whatever its state),
-- removed (this account: they stay out, and are told so), or barred: a card with an address
-- someone removed had confirmed (a new account, the same person: remove_attendee says why
-- confirmed). Barred is told apart from removed: a card takes any address unconfirmed, and
-- the words for it must not tell whoever typed one that its owner was removed.
-- organizer_gone: its organizer deleted their account (it stays, closed, for the people there).
SELECT e.id, e.name, e.venue, e.description, e.starts_at, e.ends_at, e.time_zone,
       e.join_code, e.closed_at, e.organizer_id IS NULL AS organizer_gone,
       (e.organizer_id = :viewer_id
        OR EXISTS (SELECT 1 FROM event_attendees ea
                   WHERE ea.event_id = e.id AND ea.account_id = :viewer_id
                     AND ea.left_at IS NULL)) AS present,
       EXISTS (SELECT 1 FROM event_attendees ea
               WHERE ea.event_id = e.id AND ea.account_id = :viewer_id
                 AND ea.removed_at IS NOT NULL) AS removed,
       EXISTS (SELECT 1 FROM cards mine
               WHERE mine.account_id = :viewer_id AND mine.email <> ''
                 AND removed_address(e.id, lower(mine.email))) AS barred
FROM events e WHERE e.join_code = :join_code

-- name: by_replaced_code^
-- The event whose organizer replaced :join_code by a new one (new_join_code), for what a code
-- no event has now is told: only whether it can be joined at all, never more of it.
SELECT e.closed_at, e.ends_at, e.organizer_id IS NULL AS organizer_gone
FROM event_replaced_codes r JOIN events e ON e.id = r.event_id
WHERE r.join_code = :join_code

-- name: join!
-- Join (or rejoin after leaving) an event, choosing whether to be listed. Someone there
-- already keeps the choice they made since (a join form sent again from a stale tab must
-- not list someone who hid): :listed counts only for a first join or a rejoin. Someone the
-- organizer removed stays out (their row keeps left_at and removed_at), and so does their
-- digest.
-- Back before their digest goes, they get it after all: leave skipped it (its list was closed
-- to them), and it is theirs again as it was (the hour it was timed for, its attempts). The
-- rows keep no reason for a skip, so only those whose time is still to come: the worker
-- skips a row only once due (unwanted that way now, its device gone), so its time has gone
-- by; the one other skip of a waiting digest is an unsubscribe, whose email stays skipped
-- while the address is unsubscribed. The same rows again, one per device and one email, so
-- never a second digest.
WITH joined AS (
    INSERT INTO event_attendees (event_id, account_id, listed)
    VALUES (:event_id, :account_id, :listed)
    ON CONFLICT (event_id, account_id) DO UPDATE
        SET left_at = NULL,
            listed = CASE WHEN event_attendees.left_at IS NULL THEN event_attendees.listed
                          ELSE EXCLUDED.listed END
        WHERE event_attendees.removed_at IS NULL
    RETURNING account_id
), digest_pushes AS (
    UPDATE deliveries d SET status = 'queued'
    FROM joined
    WHERE d.digest_event_id = :event_id AND d.digest_account_id = joined.account_id
      AND d.status = 'skipped' AND d.next_attempt_at > now()
)
UPDATE emails m SET status = 'queued'
FROM joined, email_addresses a
WHERE m.kind = 'digest' AND m.digest_event_id = :event_id AND m.account_id = joined.account_id
  AND m.status = 'skipped' AND m.next_attempt_at > now()
  AND a.address = m.to_address AND a.unsubscribed_at IS NULL

-- name: lock_attempt!
-- Held until the join form's try :attempt_hash has made its account (lock_link_join() in
-- logic.sql, as the share link's form takes it).
SELECT lock_link_join(:attempt_hash)

-- name: joined_again$
-- The account that the join form's try :attempt_hash made within ten minutes, if it joined
-- :event_id (whether still there or not: the event's page then says why it is closed to
-- them), signed in once more with the session :token_hash: the first answer, with its
-- cookie, never reached the phone. NULL: no such try; nothing is made.
WITH made AS (
    SELECT j.account_id
    FROM link_joins j
    JOIN event_attendees ea ON ea.account_id = j.account_id AND ea.event_id = :event_id
    WHERE j.attempt_hash = :attempt_hash AND j.made_at > now() - interval '10 minutes'
), session AS (
    INSERT INTO sessions (token_hash, account_id) SELECT :token_hash, account_id FROM made
)
SELECT account_id FROM made

-- name: joined_by_attempt!
-- The join form's try :attempt_hash made :account_id (for joined_again).
SELECT record_link_join(:attempt_hash, :account_id)

-- name: address_removed$
-- Whether :address (lower-cased) was confirmed by someone the organizer removed from
-- :event_id: a newcomer joining with it stays out too.
SELECT removed_address(:event_id, :address)

-- name: attendees
-- Who joined an event, for its organizer (listed or not), newest first: name and headline,
-- with whether they are on the roster, and whether they left since. Those who left stay
-- listed, marked: the organizer can still remove someone who left (else they could come
-- back with the code). Those removed are not: nothing is left to do about them. :pattern
-- (like_pattern()'s, as contacts.search takes it; NULL: everyone) finds someone by name or
-- headline as the contacts search does: every word typed, in any order ("lee dana",
-- "recruiter dana"), folded as it folds them (cards.match_text: name, headline and company, a
-- line each, so no word spans two); by company too only someone on the roster now, who shows
-- it there: the join page tells the others the organizer sees them by name and headline
-- alone, and a search for a company must not name who works there. :limit of them. Not
-- someone who blocked :organizer_id or whom they blocked: hidden_attendees lists those.
SELECT ea.account_id, c.name, c.headline, ea.listed, ea.joined_at,
       ea.left_at IS NOT NULL AS left_event
FROM event_attendees ea JOIN cards c ON c.account_id = ea.account_id
WHERE ea.event_id = :event_id AND ea.removed_at IS NULL
  AND ea.account_id NOT IN (SELECT h.account_id FROM blocked_with(:organizer_id) h)
  AND (:pattern::text IS NULL
       OR CASE WHEN ea.listed AND ea.left_at IS NULL THEN c.match_text
               ELSE split_part(c.match_text, E'\n', 1) || E'\n'
                    || split_part(c.match_text, E'\n', 2)
          END LIKE ALL (ARRAY(
              -- The words typed, each as '%word%' (as contacts_page() in logic.sql splits them);
              -- ARRAY(): worked out once for the statement, not for each attendee.
              SELECT '%' || w || '%'
              FROM search_fold(:pattern) f,
                   unnest(string_to_array(substr(f, 2, length(f) - 2), ' ')) w)))
ORDER BY ea.joined_at DESC, ea.account_id DESC
LIMIT :limit

-- name: hidden_attendees
-- Who joined :event_id and is hidden from its organizer :organizer_id by a block, either way
-- (attendees leaves them out), not removed: by name alone, with whether they left, so she can
-- still remove them. A block hides the two from each other everywhere else, but keeping her
-- event safe comes first: a troublemaker must not block the organizer to stay out of reach of
-- her Remove. Never their headline or card, and never who blocked whom. :pattern as in
-- attendees, matched against the name alone (what she is shown of them). Newest first,
-- :limit of them.
SELECT ea.account_id, c.name, ea.left_at IS NOT NULL AS left_event
FROM event_attendees ea JOIN cards c ON c.account_id = ea.account_id
WHERE ea.event_id = :event_id AND ea.removed_at IS NULL
  AND ea.account_id IN (SELECT h.account_id FROM blocked_with(:organizer_id) h)
  AND (:pattern::text IS NULL
       OR split_part(c.match_text, E'\n', 1) LIKE ALL (ARRAY(
              SELECT '%' || w || '%'
              FROM search_fold(:pattern) f,
                   unnest(string_to_array(substr(f, 2, length(f) - 2), ' ')) w)))
ORDER BY ea.joined_at DESC, ea.account_id DESC
LIMIT :limit

-- name: hold_attendee!
-- Before remove_attendee, in its own statement: one asking to connect holds both rows FOR
-- SHARE (requests.create), so the Remove waits for that request to be made, from or to the
-- one removed, and its next statement then sees it, to withdraw it.
SELECT 1 FROM event_attendees ea
WHERE ea.event_id = :event_id AND ea.account_id = :account_id
FOR UPDATE

-- name: remove_attendee$
-- The organizer removes an attendee (never themselves): off the roster, and this account out
-- for good, and the requests to connect made there that nobody answered as far as their
-- senders know (waiting, or declined: declining is silent), sent by them or to them, are
-- withdrawn (gone from the requests lists, as if their senders had withdrawn them). Someone
-- who left meanwhile is removed all the same (leaving first must not dodge it). Every address they confirmed
-- (address_confirmations) now stays out with them, as a hash (removed_address() in
-- logic.sql): proven theirs, it is them coming back as a new account. Never an address
-- their card merely carries: a card takes any address unconfirmed, so someone could put
-- another person's on theirs, get removed, and lock that person out of the event.
-- Blocks do not shield anyone from it: a troublemaker who blocks the organizer must not stay
-- that way (the route answers alike whoever the id is, so it tells nobody is there).
WITH removed AS (
    UPDATE event_attendees ea
    SET left_at = coalesce(ea.left_at, now()), removed_at = now()
    FROM events e
    WHERE e.id = ea.event_id AND ea.event_id = :event_id AND ea.account_id = :account_id
      AND e.organizer_id = :organizer_id AND ea.account_id <> e.organizer_id
      AND ea.removed_at IS NULL
    RETURNING ea.account_id
), address AS (
    INSERT INTO event_removed_addresses (event_id, address_hash)
    SELECT :event_id, address_hash(x.address)
    FROM removed JOIN address_confirmations x ON x.account_id = removed.account_id
    ON CONFLICT DO NOTHING
), withdrawn AS (
    -- Those they sent, and those sent to them: one left waiting for them could still be
    -- accepted, handing them the asker's email and phone. Withdrawn as a sender's Withdraw
    -- does it, so each leaves the requests list and badge (open_requests() in logic.sql), its
    -- Accept finds nothing waiting (requests.decide), and a push still queued is skipped when
    -- claimed (deliveries.claim's request_status). A declined one alike, as a sender's
    -- Withdraw takes it (requests.withdraw; it stays declined, and asked again comes back
    -- so): one kept where a waiting one went would tell the decline, as "Request sent." on
    -- another event's roster (request_sent() in logic.sql), in a kept page's check
    -- (contacts.kept_sent), and in the removed one's own "Sent by you".
    UPDATE connect_requests r SET withdrawn_at = now()
    FROM removed
    WHERE r.event_id = :event_id
      AND (r.from_id = removed.account_id OR r.to_id = removed.account_id)
      AND r.status IN ('pending', 'declined') AND r.withdrawn_at IS NULL
), digest_pushes AS (
    -- Their digest still waiting (for the morning after) would invite them to a list now
    -- closed to them.
    UPDATE deliveries d SET status = 'skipped'
    FROM removed
    WHERE d.digest_event_id = :event_id AND d.digest_account_id = removed.account_id
      AND d.status = 'queued'
), digest_emails AS (
    UPDATE emails m SET status = 'skipped'
    FROM removed
    WHERE m.kind = 'digest' AND m.digest_event_id = :event_id
      AND m.account_id = removed.account_id AND m.status = 'queued'
)
SELECT account_id FROM removed

-- name: leave!
-- Leave an event: off its roster, and its roster is closed to me, so my digest still waiting
-- ("Who did you miss? The list stays open…") goes too (one already on its way goes).
WITH gone AS (
    UPDATE event_attendees SET left_at = now()
    WHERE event_id = :event_id AND account_id = :account_id
    RETURNING account_id
), digest_pushes AS (
    UPDATE deliveries d SET status = 'skipped'
    FROM gone
    WHERE d.digest_event_id = :event_id AND d.digest_account_id = gone.account_id
      AND d.status = 'queued'
)
UPDATE emails m SET status = 'skipped'
FROM gone
WHERE m.kind = 'digest' AND m.digest_event_id = :event_id AND m.account_id = gone.account_id
  AND m.status = 'queued'

-- name: set_listed$
-- Show or hide me on the event's roster.
UPDATE event_attendees SET listed = :listed WHERE event_id = :event_id AND account_id = :account_id AND left_at IS NULL
RETURNING listed

-- name: stats^
-- What an organizer sees: counts only, never who or what. Everyone who ever joined counts,
-- gone since or not: left, removed, or deleted their account (events.departed_*, kept by
-- delete_account() in logic.sql).
SELECT (SELECT count(*) FROM event_attendees WHERE event_id = :event_id)
           + e.departed_attendees AS attendees,
       (SELECT count(DISTINCT (least(owner_id, contact_id), greatest(owner_id, contact_id)))
        FROM contacts WHERE event_id = :event_id) + e.departed_swaps AS swaps,
       (SELECT count(*) FROM followups f JOIN contacts ct ON ct.id = f.contact_id
        WHERE ct.event_id = :event_id AND f.status = 'done') + e.departed_followups_done
           AS followups_done
FROM events e WHERE e.id = :event_id

-- name: mine
-- Events I organise or attend, newest first: :limit of them, after the one starting at
-- :after_at with id :after_id (both NULL: from the newest).
SELECT e.id, e.name, e.starts_at, e.ends_at, e.time_zone, e.closed_at,
       e.ends_at < now() AS ended, e.organizer_id = :account_id AS is_organizer
FROM events e
WHERE (e.organizer_id = :account_id
       OR EXISTS (SELECT 1 FROM event_attendees ea
                  WHERE ea.event_id = e.id AND ea.account_id = :account_id AND ea.left_at IS NULL))
  AND (:after_at::timestamptz IS NULL OR (e.starts_at, e.id) < (:after_at, :after_id::bigint))
ORDER BY e.starts_at DESC, e.id DESC
LIMIT :limit

-- name: roster
-- Listed attendees other than me, never their email or phone, leaving out anyone who
-- blocked me or whom I blocked. :query is a prefix tsquery text, or NULL for everyone.
-- Best match first, in tiers, each in name order: people whose name has every word typed,
-- then those found by name, company and headline, then the rest (roster_page() in
-- logic.sql, which says why it is a function). :limit of them, after :after: NULL for the
-- first, else the tier, name_key and account id (text) the last person shown came with,
-- which place the page by themselves: nobody's card is looked up for them.
SELECT p.account_id, p.name, p.headline, p.company, p.looking_for, p.can_help_with,
       p.photo_key, p.contact_id, p.requested, p.tier, p.name_key,
       request_waiting(p.account_id, :viewer_id) AS asked_me
FROM roster_page(:event_id, :viewer_id, :query, (:after::text[])[1]::integer,
                 (:after::text[])[2], (:after::text[])[3]::bigint, :limit) WITH ORDINALITY p
ORDER BY p.ordinality

-- name: current^
-- The event I am at now (current_event()), if any, and when it is over with the same grace:
-- a share code shown there lasts at least until then, and My QR leads to its people.
SELECT id, name, ends_at + event_grace() AS over_at FROM events WHERE id = current_event(:account_id)

-- name: new_join_code$
-- The organizer replaces the event's join code (a photo of the poster went online): the old
-- code then opens nothing, nor do the links signed for it (events.join_path); the people
-- there stay. The old one is kept as replaced (by_replaced_code: whoever has it is told so),
-- read from the row held (FOR NO KEY UPDATE returns its newest version: a second new code
-- made at once keeps the first's). NULL: not theirs, or deleted meanwhile. A code another
-- event has raises a unique violation, as the ``create`` clash does not (an UPDATE has no ON
-- CONFLICT): nothing is kept, and the caller draws again.
WITH old AS (
    SELECT e.id, e.join_code FROM events e
    WHERE e.id = :id AND e.organizer_id = :organizer_id
    FOR NO KEY UPDATE
), changed AS (
    UPDATE events e SET join_code = :join_code FROM old WHERE e.id = old.id
    RETURNING e.id
), replaced AS (
    INSERT INTO event_replaced_codes (join_code, event_id)
    SELECT old.join_code, old.id FROM old JOIN changed ON changed.id = old.id
    ON CONFLICT (join_code) DO UPDATE SET event_id = EXCLUDED.event_id
)
SELECT id FROM changed
