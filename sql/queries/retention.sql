-- Retention: what is not kept for good, deleted by the worker (server/privacy/retention.py,
-- whose rules /privacy shows). Each query deletes at most :batch rows older than :keep and
-- returns how many: short transactions, and rows another worker is deleting are skipped
-- (SKIP LOCKED), so any number of workers can run them side by side.

-- name: sign_in_codes$
-- Codes asked for by email, with the address and the IP address they were asked from (the
-- limits count the last hour's).
WITH gone AS (
    DELETE FROM sign_in_codes WHERE id IN (
        SELECT id FROM sign_in_codes WHERE created_at < now() - :keep::interval
        LIMIT :batch FOR UPDATE SKIP LOCKED)
    RETURNING 1
)
SELECT count(*) FROM gone

-- name: ended_sessions$
-- Browsers signed out (or unused for session_max_age(), Chrome's cap on a cookie: no longer
-- session_in_use(), logic.sql), with their IP address and browser, :keep after they ended.
WITH gone AS (
    DELETE FROM sessions WHERE id IN (
        SELECT id FROM sessions
        WHERE revoked_at < now() - :keep::interval
           OR last_seen_at < now() - session_max_age() - :keep::interval
        LIMIT :batch FOR UPDATE SKIP LOCKED)
    RETURNING 1
)
SELECT count(*) FROM gone

-- name: swap_codes$
-- Six-digit codes, :keep after they expired (a code typed offline counts when the phone is
-- back online, if it was live when typed).
WITH gone AS (
    DELETE FROM swap_codes WHERE code IN (
        SELECT code FROM swap_codes WHERE expires_at < now() - :keep::interval
        LIMIT :batch FOR UPDATE SKIP LOCKED)
    RETURNING 1
)
SELECT count(*) FROM gone

-- name: move_codes$
-- Move codes, once expired (they are good for five minutes).
WITH gone AS (
    DELETE FROM move_codes WHERE id IN (
        SELECT id FROM move_codes WHERE expires_at < now() - :keep::interval
        LIMIT :batch FOR UPDATE SKIP LOCKED)
    RETURNING 1
)
SELECT count(*) FROM gone

-- name: webauthn_challenges$
-- Passkey challenges, once expired (they are good for five minutes).
WITH gone AS (
    DELETE FROM webauthn_challenges WHERE challenge IN (
        SELECT challenge FROM webauthn_challenges WHERE expires_at < now() - :keep::interval
        LIMIT :batch FOR UPDATE SKIP LOCKED)
    RETURNING 1
)
SELECT count(*) FROM gone

-- name: bumps$
-- Bumps: when a phone bumped, and how hard.
WITH gone AS (
    DELETE FROM bumps WHERE id IN (
        SELECT id FROM bumps WHERE created_at < now() - :keep::interval
        LIMIT :batch FOR UPDATE SKIP LOCKED)
    RETURNING 1
)
SELECT count(*) FROM gone

-- name: synced_actions$
-- The answers kept for swaps queued offline, so that a replay got the first answer.
WITH gone AS (
    DELETE FROM synced_actions WHERE (account_id, key) IN (
        SELECT account_id, key FROM synced_actions WHERE created_at < now() - :keep::interval
        LIMIT :batch FOR UPDATE SKIP LOCKED)
    RETURNING 1
)
SELECT count(*) FROM gone

-- name: deliveries$
-- Push notifications sent, given up on, or no longer needed, with the push service's answer.
WITH gone AS (
    DELETE FROM deliveries WHERE id IN (
        SELECT id FROM deliveries
        WHERE status IN ('sent', 'failed', 'gone', 'skipped') AND created_at < now() - :keep::interval
        LIMIT :batch FOR UPDATE SKIP LOCKED)
    RETURNING 1
)
SELECT count(*) FROM gone

-- name: emails$
-- Emails sent, given up on, or no longer needed, with the mail server's answer. Counted from
-- sending: a sent email's links are signed for 30 days from then, and one may leave long
-- after it was made (a "You met" held until its card's owner accepts, or retried).
WITH gone AS (
    DELETE FROM emails WHERE id IN (
        SELECT id FROM emails
        WHERE status IN ('sent', 'failed', 'skipped')
          AND coalesce(sent_at, created_at) < now() - :keep::interval
          -- Implied (an email is sent after it is made), said for the index on created_at.
          AND created_at < now() - :keep::interval
        LIMIT :batch FOR UPDATE SKIP LOCKED)
    RETURNING 1
)
SELECT count(*) FROM gone

-- name: email_addresses$
-- Addresses no card has any more, confirmed for no account, and no email to them is kept for,
-- :keep after the last unasked-for mail (the limit of one a day counts it). Not one that unsubscribed or bounced:
-- kept, bare, so that we never write to it again.
WITH gone AS (
    DELETE FROM email_addresses WHERE address IN (
        SELECT ea.address FROM email_addresses ea
        WHERE ea.unsubscribed_at IS NULL AND ea.bounced_at IS NULL
          AND (ea.last_first_mail_at IS NULL OR ea.last_first_mail_at < now() - :keep::interval)
          AND NOT EXISTS (SELECT 1 FROM cards c WHERE lower(c.email) = ea.address AND c.email <> '')
          -- Confirmed for an account: a way for its owner to prove it is them (deleting the
          -- account asks for it), whatever the card says now. Erased with the account.
          AND NOT EXISTS (SELECT 1 FROM address_confirmations x WHERE x.address = ea.address)
          AND NOT EXISTS (SELECT 1 FROM emails m WHERE m.to_address = ea.address)
        LIMIT :batch FOR UPDATE OF ea SKIP LOCKED)
    RETURNING 1
)
SELECT count(*) FROM gone

-- name: answered_requests$
-- Requests to connect, :keep after they were accepted, declined or withdrawn.
WITH answered AS (
    SELECT id FROM connect_requests
    WHERE status <> 'pending' AND decided_at < now() - :keep::interval
    LIMIT :batch FOR UPDATE SKIP LOCKED
), withdrawn AS (
    SELECT id FROM connect_requests
    WHERE withdrawn_at < now() - :keep::interval
    LIMIT :batch FOR UPDATE SKIP LOCKED
), gone AS (
    DELETE FROM connect_requests
    WHERE id IN (SELECT id FROM answered UNION SELECT id FROM withdrawn)
    RETURNING 1
)
SELECT count(*) FROM gone

-- name: unclaimed_guests$
-- Guests (details typed on someone else's phone) who never signed in: deleted with everything
-- keyed to them, as an account deleting itself is (delete_account() in logic.sql), each by
-- forget_unclaimed_guest(): the rest is held in the one order every deleting takes (its
-- follow-ups before the account), and the guest read again, held, at the end. Picked without
-- a row lock: held here first (FOR NO KEY UPDATE, as before), a merge of it holding its
-- follow-ups waited for the account while this waited for the follow-ups, in a circle; FOR
-- UPDATE, so did a press of its "You met"'s button. Each is picked with the lock that marks
-- it as this worker's (a try: never waited for), so that another worker skips it and takes
-- the next ones: picked first and tried after, both took the same first :batch, each
-- deleted half, and the rule stopped, a batch short, before the rest. The candidates in a
-- subquery of their own (OFFSET 0): the try not pushed into it, no lock is taken on a row
-- that is not one, nor on one after the batch (read in the index's order, oldest first).
SELECT count(*) FILTER (WHERE deleted) FROM (
    SELECT forget_unclaimed_guest(id, now() - :keep::interval) AS deleted FROM (
        SELECT id FROM (
            SELECT id FROM accounts WHERE guest AND created_at < now() - :keep::interval
            ORDER BY created_at OFFSET 0) candidates
        WHERE pg_try_advisory_xact_lock(hashtextextended('unclaimed guest:' || id, 0))
        LIMIT :batch) guests
) done

-- name: limit_slots$
-- What the rate limits counted (by account, share link or address), per slot of time; they
-- count the last hour at most. A slot can still change (a hit given back), but the rows the
-- subquery locks keep their ctid until the statement ends; one changed before it locks them
-- is left for the next batch.
WITH gone AS (
    DELETE FROM limit_slots WHERE ctid = ANY (ARRAY(
        SELECT ctid FROM limit_slots WHERE slot < now() - :keep::interval
        LIMIT :batch FOR UPDATE SKIP LOCKED))
    RETURNING 1
)
SELECT count(*) FROM gone

-- name: contact_removals$
-- Contacts removed, kept (with my notes on them) only so that Undo can put them back: gone
-- once Undo has run out (:keep is none: the moment it runs out is in the row), and with them
-- a guest card the removal left connected to nobody (forget_removals() in logic.sql).
SELECT forget_removals(:keep, :batch)

-- name: card_pages$
-- The card page a share link opens, kept rendered for every web process: once the link stops
-- working (a changed card's pages went with the change: migration 0036).
WITH gone AS (
    DELETE FROM card_pages WHERE (account_id, token) IN (
        SELECT account_id, token FROM card_pages WHERE expires_at < now() - :keep::interval
        LIMIT :batch FOR UPDATE SKIP LOCKED)
    RETURNING 1
)
SELECT count(*) FROM gone

-- name: sessions_of_deleted_accounts$
-- The cookie hashes of browsers signed in to an account when it was deleted, kept so they can
-- say so: once such a cookie would have ended anyway (session_max_age(), set at deletion:
-- delete_account() in logic.sql).
WITH gone AS (
    DELETE FROM sessions_of_deleted_accounts WHERE token_hash IN (
        SELECT token_hash FROM sessions_of_deleted_accounts WHERE forget_at < now() - :keep::interval
        LIMIT :batch FOR UPDATE SKIP LOCKED)
    RETURNING 1
)
SELECT count(*) FROM gone

-- name: link_joins$
-- Which try made which account (a key's hash), of a share link's "Leave your details" or,
-- signed out, an event's join form, so that Send or "Join the event" tapped again after a
-- lost answer makes no second one: once the ten minutes it counts are over.
WITH gone AS (
    DELETE FROM link_joins WHERE attempt_hash IN (
        SELECT attempt_hash FROM link_joins
        WHERE made_at < now() - interval '10 minutes' - :keep::interval
        LIMIT :batch FOR UPDATE SKIP LOCKED)
    RETURNING 1
)
SELECT count(*) FROM gone

-- name: events_left_behind$
-- An event whose organizer deleted their account, kept for the people who were there, once
-- none of them has it: nobody has it among their events (all who joined left, were removed
-- or deleted their account; closed, it takes nobody back), no contact says they met there,
-- no request to connect made there is kept (one waiting for an answer stays open after both
-- left; answered or withdrawn ones go by answered_requests), and no removal Undo could still
-- bring back says so either (:keep after its Undo ran out; :keep is none).
WITH gone AS (
    DELETE FROM events WHERE id IN (
        SELECT e.id FROM events e
        WHERE e.organizer_id IS NULL
          AND NOT EXISTS (SELECT 1 FROM event_attendees ea
                          WHERE ea.event_id = e.id AND ea.left_at IS NULL)
          AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.event_id = e.id)
          AND NOT EXISTS (SELECT 1 FROM connect_requests q WHERE q.event_id = e.id)
          AND NOT EXISTS (
              SELECT 1 FROM contact_removals r
              WHERE r.undo_until > now() - :keep::interval
                AND r.contacts @> jsonb_build_array(jsonb_build_object('event_id', e.id)))
        LIMIT :batch FOR UPDATE SKIP LOCKED)
    RETURNING 1
)
SELECT count(*) FROM gone

-- name: gone_followups$
-- Which follow-ups went with their contact (a number, its owner and when it was due: no name),
-- kept so that the calendar file cancels them: once it no longer does, 30 days after
-- (calendar_file.CANCELLED_DAYS; :keep is none).
WITH gone AS (
    DELETE FROM gone_followups WHERE followup_id IN (
        SELECT followup_id FROM gone_followups
        WHERE gone_at < now() - interval '30 days' - :keep::interval
        LIMIT :batch FOR UPDATE SKIP LOCKED)
    RETURNING 1
)
SELECT count(*) FROM gone
