-- name: create_with_card$
-- The first card someone saves: their account (with :time_zone), card and session
-- in one statement; returns the account's id. :token_hash is the session token's hash.
WITH account AS (
    INSERT INTO accounts (time_zone) VALUES (:time_zone) RETURNING id
), card AS (
    INSERT INTO cards (account_id, name, headline, company, email, phone, linkedin, website,
                       other_link, looking_for, can_help_with)
    SELECT id, :name, :headline, :company, :email, :phone, :linkedin, :website,
           :other_link, :looking_for, :can_help_with FROM account
), session AS (
    INSERT INTO sessions (token_hash, account_id) SELECT :token_hash, id FROM account
)
SELECT id FROM account

-- name: join_with_details^
-- Someone with no account leaves their details on a sharer's card (:sharer_id, and
-- :time_zone the newcomer's): their account, card and session, the connection both ways and
-- a follow-up for each side (join_with_details() in sql/logic.sql). :token_hash is NULL for a
-- guest typed in on the sharer's phone. :met_at is when they met when that was earlier than
-- now (a guest typed offline and synced later), else NULL. Returns the newcomer's account and
-- contact row, then the sharer's contact row.
SELECT newcomer_id, newcomer_contact, sharer_contact
FROM join_with_details(:token_hash, :sharer_id, :time_zone, :name, :headline, :company,
                       :email, :phone, :linkedin, :website, :other_link, :looking_for,
                       :can_help_with, coalesce(:met_at::timestamptz, now()))

-- name: join_by_link^
-- A swap by someone with no app, in one statement (join_by_link() in sql/logic.sql): the card
-- the link names (:share_id, or :account_id for an old link) at :generation, the limits on new
-- accounts (:keys NULL: the card's owner), their account, card, session and the connection,
-- and "You met" to :address (empty: none). The newcomer's account and contact row; no row
-- when the link names no such card at that generation; NULLs when :address is on the card of
-- someone blocked with the card's owner (nothing made). :attempt_hash (NULL: none) names the
-- try: sent again, it gets what the first made.
SELECT newcomer_id, newcomer_contact
FROM join_by_link(:share_id, :account_id, :generation, :buckets, :keys, :mosts,
                  :spans::interval[], :token_hash, :time_zone, :name, :headline, :company,
                  :email, :phone, :linkedin, :website, :other_link, :looking_for,
                  :can_help_with, :address, :attempt_hash)

-- name: preferences^
-- Time zone and follow-up timing, as the settings page shows them.
SELECT time_zone, followup_timing, coalesce(reminders_by, '') AS reminders_by,
       notes_on_lock_screen
FROM accounts WHERE id = :account_id

-- name: lock_open_followups!
-- Her open follow-ups (:account_id), which a new time zone moves (set_preferences), held for
-- the save's transaction, taken before her reminders lock (deliveries.lock_owners) in id
-- order, as a merge takes them (lock_merge() in logic.sql: her follow-ups, then her lock):
-- taken after it, a save would hold her lock and wait for her follow-ups while a merge held
-- them and waited for her lock, in a circle. All of the open ones, not only those the move
-- picks: a superset stays right whatever that picks. NO KEY UPDATE, as the move's update
-- takes them: a worker queueing or passing on her reminders adds rows keyed to them (KEY
-- SHARE) meanwhile. A worker's batch (deliveries.take_due) skips those held here, and one
-- holding some of them first does not wait for this save in turn.
SELECT 1 FROM followups WHERE owner_id = :account_id AND status = 'open' ORDER BY id
FOR NO KEY UPDATE

-- name: set_preferences!
-- Save time zone, follow-up timing, how reminders come (:reminders_by NULL: automatic) and
-- whether a reminder's push shows her notes on the lock screen (:notes_on_lock_screen).
-- A new time zone moves the reminders still to come with it, at the same time of day:
-- "Next morning (09:00)" means 09:00 where I am now (the day and hour they were made for,
-- whatever the timing is now). Every one not yet due: the app chose each one's hour (a
-- snooze, a picked date and "Remind me tomorrow" name a day; its 09:00 is ours), so "In 3
-- days" from Berlin is still 09:00 that day in New York, not 03:00. Only to a time still
-- ahead: a move never fires a reminder at once. One whose moved time went by keeps its
-- moment, or when that is night in the new zone goes at her next waking hour from it
-- (waking_hour() in logic.sql): a New York 21:00 moved to Berlin at 21:30 there is not
-- left at 03:00.
-- What the outbox holds for a waking hour of mine (waking_hour() in logic.sql) waits for one
-- where I am now too, or "09:00" is 03:00 after a move from Berlin to New York: an event's
-- digest, a request to connect made to me outside its event's hours (requests.create) and a
-- "You met" let go by an accept (contacts.accept) were held from when they were queued, so they
-- go at the new zone's waking hour from now (at once when it is day there);
-- a reminder summary was first held for the gap after the last one, so it goes at the new
-- zone's waking hour from its time (never sooner); a reminder queued late and held for her
-- morning (deliveries.enqueue_taken) goes at the new zone's waking hour from now, and counts
-- among that day's reminders (its follow-up's queued_at moves with it). Only those never tried and still ahead: a
-- retry keeps its backoff, and one being sent is its worker's.
-- The statement's CTEs share one snapshot: `before` reads the zone before `saved` sets it.
-- FOR NO KEY UPDATE: a save from another browser committed while this one waited for the
-- row is read as it left the zone (and what it moved), not as the snapshot had it. Not FOR
-- UPDATE: others add rows that reference her account meanwhile (FOR KEY SHARE, which FOR
-- UPDATE would block, and the key never changes).
-- Run in one transaction after lock_open_followups, deliveries.lock_owners and
-- lock_waiting_summaries for her (settings_save), which take her follow-ups, her reminders
-- lock, her summary pushes, then her summary emails, as a worker queueing her reminders
-- does: left to the CTEs below, her emails would be locked before her pushes (PostgreSQL
-- runs the later CTE first), and a worker holding her pushes, then asking for her emails,
-- would wait for this save in a circle (one of them failing).
WITH before AS (
    SELECT time_zone FROM accounts WHERE id = :account_id FOR NO KEY UPDATE
), saved AS (
    UPDATE accounts
    SET time_zone = :time_zone, followup_timing = :followup_timing, reminders_by = :reminders_by,
        notes_on_lock_screen = :notes_on_lock_screen
    WHERE id = :account_id
    RETURNING time_zone
), moved AS (
    -- One row when the zone changed, none when it stayed: nothing below moves then.
    SELECT before.time_zone AS was, saved.time_zone AS tz
    FROM before, saved
    WHERE before.time_zone <> saved.time_zone
), digest_pushes AS (
    -- Found from her events by the digests' key (digest_event_id, digest_account_id).
    UPDATE deliveries d SET next_attempt_at = waking_hour(moved.tz, now())
    FROM moved, event_attendees ea
    WHERE ea.account_id = :account_id AND ea.digest_queued_at IS NOT NULL
      AND d.digest_event_id = ea.event_id AND d.digest_account_id = :account_id
      AND d.status = 'queued' AND d.attempts = 0 AND d.next_attempt_at > now()
), request_pushes AS (
    -- Requests made to me still waiting (connect_requests_to); an answered or withdrawn
    -- one's push is skipped when it comes up, whenever that is.
    UPDATE deliveries d SET next_attempt_at = waking_hour(moved.tz, now())
    FROM moved, connect_requests r
    WHERE r.to_id = :account_id AND r.status = 'pending'
      AND d.request_id = r.id
      AND d.status = 'queued' AND d.attempts = 0 AND d.next_attempt_at > now()
), summary_pushes AS (
    UPDATE deliveries d SET next_attempt_at = waking_hour(moved.tz, d.next_attempt_at)
    FROM moved
    WHERE d.summary_account_id = :account_id
      AND d.status = 'queued' AND d.attempts = 0 AND d.next_attempt_at > now()
), held_reminders AS (
    -- Only a reminder queued late is held (queued_at, when it goes, ahead): those on time
    -- went out at once.
    UPDATE followups f SET queued_at = waking_hour(moved.tz, now())
    FROM moved
    WHERE f.owner_id = :account_id AND f.status = 'open' AND f.queued_round = f.round
      AND f.queued_at > now()
    RETURNING f.id
), held_reminder_pushes AS (
    UPDATE deliveries d SET next_attempt_at = waking_hour(moved.tz, now())
    FROM moved, held_reminders h
    WHERE d.followup_id = h.id
      AND d.status = 'queued' AND d.attempts = 0 AND d.next_attempt_at > now()
), held_emails AS (
    UPDATE emails m
    SET next_attempt_at = CASE WHEN m.kind = 'summary'
                               THEN waking_hour(moved.tz, m.next_attempt_at)
                               ELSE waking_hour(moved.tz, now()) END
    FROM moved
    WHERE m.account_id = :account_id
      -- A "You met" someone waits for goes at once; one held for an accept ('infinity')
      -- waits for it still.
      AND (m.kind IN ('digest', 'summary', 'reminder') OR (m.kind = 'met' AND NOT m.waited_for))
      AND m.status = 'queued' AND m.attempts = 0
      AND m.next_attempt_at > now() AND m.next_attempt_at < 'infinity'
)
UPDATE followups f
SET due_at = waking_hour(moved.tz,
                         CASE WHEN (f.due_at AT TIME ZONE moved.was) AT TIME ZONE moved.tz > now()
                              THEN (f.due_at AT TIME ZONE moved.was) AT TIME ZONE moved.tz
                              ELSE f.due_at END),
    updated_at = now()
FROM moved
WHERE f.owner_id = :account_id AND f.status = 'open' AND f.due_at > now()

-- name: delete_if_empty$
-- An account left behind when its browser signed in to another: gone when it is only a card
-- made here by mistake, as any account is deleted (delete_account() in logic.sql). One with
-- contacts, another browser signed in to it, a passkey, an address proven, an event it
-- organises or joined (left or removed too: the organizer's removal binds it), a block
-- either way (hers keeps someone away; one on her, someone else's choice) or a request to
-- connect either way that either side still sees (waiting; declined, which reads as waiting
-- to whoever sent it) or a contact removed either way that Undo can still bring back (its
-- few seconds not over: merging carries it, and deleting would take the contact for good) is
-- someone's account in use, and stays, to be merged or kept apart (deleting it needs a fresh
-- sign-in: Settings, Delete my account). sessions.merge_offer names these, as its owner
-- knows them, as the reason it asks: the two lists agree. Returns whether it went.
SELECT coalesce((
    SELECT delete_account(a.id) FROM accounts a
    WHERE a.id = :account_id
      AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.owner_id = a.id OR c.contact_id = a.id)
      AND NOT EXISTS (SELECT 1 FROM sessions s
                      WHERE s.account_id = a.id AND s.revoked_at IS NULL
                        AND session_in_use(s.last_seen_at))
      AND NOT EXISTS (SELECT 1 FROM passkeys p WHERE p.account_id = a.id)
      AND NOT EXISTS (SELECT 1 FROM address_confirmations x WHERE x.account_id = a.id)
      AND NOT EXISTS (SELECT 1 FROM events e WHERE e.organizer_id = a.id)
      AND NOT EXISTS (SELECT 1 FROM event_attendees ea WHERE ea.account_id = a.id)
      AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = a.id OR b.blocked_id = a.id)
      AND NOT EXISTS (SELECT 1 FROM connect_requests r
                      WHERE (r.from_id = a.id OR r.to_id = a.id)
                        AND r.status IN ('pending', 'declined') AND r.withdrawn_at IS NULL)
      -- As contacts.undo_removal allows it: only until undo_until.
      AND NOT EXISTS (SELECT 1 FROM contact_removals x
                      WHERE (x.remover_id = a.id OR x.other_id = a.id)
                        AND x.undo_until > now())
), false)

-- name: ways_in^
-- How :account_id can still be opened other than by the session :session_id (NULL: every
-- session counts), to warn before its last way in goes (signing out of it, keeping a card
-- apart that nobody else holds): whether a sign-in code to the address on its card opens it
-- (code_opens() in logic.sql: an address merely on the card of an account with a passkey or
-- another confirmed address does not), or an address confirmed for it, which signs in to it
-- whatever its card says now (signin.account_with_email), its passkeys, and its other live
-- sessions (as sessions.account_for counts one: a move code is shown only on one of them).
-- ``by_email_code``: a code to such an address would open it (Settings says when the card's
-- would not). ``code_reaches``: one of them is an address whose mail does not bounce, as
-- proving.ways counts a way of proof (the card's, or the one proof_address() in logic.sql
-- picks): a code still goes to one that bounced (a bounce may pass) but may never arrive; an
-- unsubscribed one counts (codes ignore unsubscribing). The card's address counts as bounced
-- only when it is confirmed for this account: one merely typed on the card may be someone
-- else's, whose bounces the card is never told (Settings, the export), not even by a warning.
-- ``any_way`` is whether a code that reaches, a passkey or another session is left.
SELECT w.*, w.code_reaches OR w.passkeys > 0 OR w.other_sessions > 0 AS any_way
FROM (
    SELECT card.opens OR proof.address IS NOT NULL AS by_email_code,
           (card.opens AND NOT card.bounced) OR proof.bounced IS FALSE AS code_reaches,
           (SELECT count(*) FROM passkeys p WHERE p.account_id = a.id) AS passkeys,
           (SELECT count(*) FROM sessions s
            WHERE s.account_id = a.id AND s.revoked_at IS NULL
              AND session_in_use(s.last_seen_at)
              AND s.id IS DISTINCT FROM :session_id::bigint) AS other_sessions
    FROM accounts a LEFT JOIN cards c ON c.account_id = a.id
    CROSS JOIN LATERAL (
        SELECT coalesce(c.email, '') <> '' AND code_opens(lower(c.email), a.id) AS opens,
               EXISTS (SELECT 1 FROM email_addresses e
                       JOIN address_confirmations x
                         ON x.address = e.address AND x.account_id = a.id
                       WHERE e.address = lower(c.email) AND e.bounced_at IS NOT NULL) AS bounced
    ) card
    LEFT JOIN LATERAL proof_address(a.id) proof ON true
    WHERE a.id = :account_id
) w
