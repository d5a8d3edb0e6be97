-- name: note_address!
-- Make sure :address (lower-cased already) has its row, so it can be limited and confirmed.
INSERT INTO email_addresses (address) VALUES (:address) ON CONFLICT (address) DO NOTHING

-- name: queue_met$
-- "You met <about>" to :account_id at :address, who just left their details on :about_id's
-- card (or had them typed in there), within what the address allows, waking the mail workers
-- (queue_met_mail() in sql/logic.sql). Returns the email's id, or NULL when none was queued.
SELECT queue_met_mail(:account_id, :about_id, :address)

-- name: lock_confirm!
-- Serialises "Send me a confirmation" for :address until the transaction ends, in a statement
-- of its own: the counts after it must see what the one before committed.
SELECT pg_advisory_xact_lock(hashtext('confirm:' || :address))

-- name: confirm_refused$
-- Why "Confirm your address", asked for by :account_id in Settings, cannot go to :address now
-- (NULL: it can): 'waiting' (one is on its way), 'account' (3 asked in the last hour),
-- 'address' (this account had 3 sent there today, or 10 went there from anyone: a card
-- carrying someone else's address cannot fill their inbox), 'unsubscribed' (its owner said
-- no more mail, and it had a confirmation this week: one a week may go, whose button
-- subscribes it again; its owner, confirmed for the account, subscribes again from Settings).
-- After lock_confirm.
SELECT CASE
    WHEN EXISTS (SELECT 1 FROM emails q WHERE q.account_id = :account_id AND q.kind = 'confirm'
                 AND q.status IN ('queued', 'sending') AND q.to_address = e.address)
        THEN 'waiting'
    WHEN (SELECT count(*) FROM emails q WHERE q.account_id = :account_id AND q.kind = 'confirm'
          AND q.created_at > now() - interval '1 hour') >= 3 THEN 'account'
    WHEN (SELECT count(*) FROM emails q WHERE q.to_address = e.address AND q.kind = 'confirm'
          AND q.account_id = :account_id AND q.created_at > now() - interval '1 day') >= 3
         OR (SELECT count(*) FROM emails q WHERE q.to_address = e.address AND q.kind = 'confirm'
             AND q.created_at > now() - interval '1 day') >= 10 THEN 'address'
    WHEN e.unsubscribed_at IS NOT NULL
         AND EXISTS (SELECT 1 FROM emails q WHERE q.to_address = e.address AND q.kind = 'confirm'
                     AND q.created_at > now() - interval '7 days') THEN 'unsubscribed'
    END
FROM email_addresses e
WHERE e.address = :address

-- name: queue_confirm$
-- "Confirm your address" to :address for :account_id (confirm_refused said it may go):
-- someone is waiting for it. Returns the email's id.
INSERT INTO emails (kind, account_id, to_address, waited_for)
VALUES ('confirm', :account_id, :address, true)
RETURNING id

-- name: wake!
-- Tell the mail workers something is waiting (they also poll).
SELECT pg_notify('mail', 'queued')

-- name: claim
-- Lease up to :limit emails to worker :worker for :lease_seconds seconds, waited-for mail
-- first, with everything the message needs, whichever kind it is. As deliveries.claim: run-out
-- leases are taken over, except for a lease's length after PostgreSQL starts.
-- Run-out leases first (a dead worker's: rare), then the ready ones in the order of
-- emails_ready: each reads its partial index in order and stops at :limit. Its lanes (codes,
-- then confirmations, then other waited-for mail, then the rest: migration 0058) keep a code
-- from waiting behind a flood of "You met" until it expires; the ORDER BY must stay the
-- index's expression (the same CASE), or the claim sorts the whole queue.
WITH run_out AS (
    SELECT id FROM emails
    WHERE status = 'sending' AND lease_until < now()
      AND pg_postmaster_start_time() < now() - make_interval(secs => :lease_seconds)
    ORDER BY lease_until
    LIMIT :limit
    FOR UPDATE SKIP LOCKED
), ready AS (
    SELECT id FROM emails
    WHERE status = 'queued' AND next_attempt_at <= now()
    ORDER BY CASE WHEN kind IN ('code', 'delete_code', 'merge_code', 'prove_code') THEN 3
                  WHEN kind = 'confirm' THEN 2
                  WHEN waited_for THEN 1
                  ELSE 0 END DESC,
             next_attempt_at, id
    LIMIT :limit
    FOR UPDATE SKIP LOCKED
), picked AS (
    -- Rows locked here but past the limit are let go when the statement's transaction ends.
    SELECT id FROM run_out
    UNION ALL
    (SELECT id FROM ready LIMIT :limit - (SELECT count(*) FROM run_out))
), leased AS (
    UPDATE emails m
    SET status = 'sending', lease_until = now() + make_interval(secs => :lease_seconds),
        leased_by = :worker, attempts = m.attempts + 1,
        -- A summary counts what is due now (summary_waiting, below).
        counted_at = CASE WHEN m.kind = 'summary' THEN now() END
    FROM picked WHERE m.id = picked.id
    RETURNING m.*
)
SELECT l.id, l.kind, l.account_id, l.to_address, l.attempts, l.created_at, l.round, l.code,
       l.followup_id, l.digest_event_id,
       coalesce(me.name, '') AS recipient_name, coalesce(a.time_zone, 'UTC') AS time_zone,
       a.reminders_by,
       ea.confirmed_at, ea.unsubscribed_at, ea.bounced_at,
       -- A reminder, digest or summary may wait hours (for the morning, for a retry): it
       -- goes to this address only while the account's reminders still go there
       -- (reminder_address() in logic.sql), not once the card's address changed or
       -- reminders went to push (then it is pushed instead: mail.mark_skipped).
       CASE WHEN l.kind IN ('reminder', 'digest', 'summary')
            THEN reminder_address(l.account_id) IS NOT DISTINCT FROM l.to_address
       END AS reminded_there,
       -- A confirmation asked for before the card's address changed is for an address the
       -- card no longer uses: not sent (Composer.stale), as its button would confirm nothing.
       CASE WHEN l.kind = 'confirm'
            THEN coalesce(lower(me.email) = l.to_address, false)
       END AS on_card,
       about.account_id AS about_id, about.name AS about_name, about.headline AS about_headline,
       about.company AS about_company, about.email AS about_email, about.phone AS about_phone,
       about.linkedin AS about_linkedin, about.website AS about_website,
       about.other_link AS about_other_link, about.looking_for AS about_looking_for,
       about.can_help_with AS about_can_help_with,
       -- Its photo, for the vCard attached ("Save contact"'s); the worker loads the JPEG.
       about.photo_key AS about_photo_key,
       -- Its details typed on someone's phone, as it was when queued (queue_met_mail() in
       -- logic.sql; NULL: queued before migration 0081, read as it is now): "You met" says
       -- who typed them. Still a guest now (not signed in since): it says how to keep it.
       coalesce(l.typed_for_them, a.guest) AS typed_for_them,
       a.guest AS recipient_guest,
       (SELECT e.name FROM contacts x JOIN events e ON e.id = x.event_id
        WHERE x.owner_id = l.about_id AND x.contact_id = l.account_id) AS about_event_name,
       f.status AS followup_status, f.round AS followup_round, f.contact_id,
       ct.met_at, ct.promised, ct.they_asked, met_event.name AS met_event_name,
       them.name AS contact_name, them.email AS contact_email, them.phone AS contact_phone,
       them.linkedin AS contact_linkedin, them.looking_for AS contact_looking_for,
       digest_event.name AS digest_event_name,
       -- Counted only for a digest (as in deliveries.claim).
       CASE WHEN l.kind = 'digest' THEN
           (SELECT count(*) FROM contacts x
            WHERE x.owner_id = l.account_id AND x.event_id = l.digest_event_id)
       END AS digest_met,
       CASE WHEN l.kind = 'digest' THEN
           (SELECT count(*) FROM followups xf JOIN contacts x ON x.id = xf.contact_id
            WHERE x.owner_id = l.account_id AND x.event_id = l.digest_event_id
              AND xf.status = 'open')
       END AS digest_waiting,
       -- A summary: how many are waiting when it is sent, as the push summary counts them
       -- (summary_waiting() in logic.sql).
       CASE WHEN l.kind = 'summary' THEN
           summary_waiting(l.account_id,
                           (SELECT max(e.counted_at) FROM emails e
                            WHERE e.account_id = l.account_id AND e.kind = 'summary'
                              AND e.status = 'sent'))
       END AS summary_waiting
FROM leased l
JOIN accounts a ON a.id = l.account_id
LEFT JOIN cards me ON me.account_id = l.account_id
LEFT JOIN email_addresses ea ON ea.address = l.to_address
-- Both cards as their people share them with the recipient (shared_card() in logic.sql).
LEFT JOIN LATERAL shared_card(l.about_id, l.account_id) about ON true
LEFT JOIN followups f ON f.id = l.followup_id
LEFT JOIN contacts ct ON ct.id = f.contact_id
LEFT JOIN events met_event ON met_event.id = ct.event_id
LEFT JOIN LATERAL shared_card(ct.contact_id, ct.owner_id) them ON true
LEFT JOIN events digest_event ON digest_event.id = l.digest_event_id

-- name: renew
-- Worker :worker is alive: its emails :ids are held for another :lease_seconds seconds.
-- Returns those still its own.
UPDATE emails SET lease_until = now() + make_interval(secs => :lease_seconds)
WHERE id = ANY(:ids::bigint[]) AND status = 'sending' AND leased_by = :worker
RETURNING id

-- name: release!
-- Worker :worker hands back what it claimed but did not start: ready again, the try not counted.
UPDATE emails
SET status = 'queued', lease_until = NULL, leased_by = NULL, attempts = attempts - 1
WHERE id = ANY(:ids::bigint[]) AND status = 'sending' AND leased_by = :worker

-- name: mark_sent_many!
-- The mail server accepted these (:ids). A sign-in code is not kept once it has left.
UPDATE emails SET status = 'sent', sent_at = now(), lease_until = NULL, last_status = 250,
                  code = NULL
WHERE id = ANY(:ids::bigint[]) AND status = 'sending'

-- name: mark_retry!
-- A temporary failure (4xx reply, connection error): again after :retry_seconds seconds;
-- after :max_attempts tries it is failed instead, with the reason kept. A reminder, summary
-- or digest was timed for a waking hour of its reader, and its retry is too (as a push's:
-- deliveries.mark_retry): a relay refusing from 21:00 must not mail her at 02:00. What
-- someone does now (a code, a confirmation, "You met" after a swap) is retried at once.
UPDATE emails e
SET status = CASE WHEN e.attempts >= :max_attempts THEN 'failed' ELSE 'queued' END,
    next_attempt_at = CASE
        WHEN e.kind IN ('reminder', 'summary', 'digest')
            THEN waking_hour(coalesce((SELECT a.time_zone FROM accounts a
                                       WHERE a.id = e.account_id), 'UTC'),
                             retry.at)
        ELSE retry.at
    END,
    lease_until = NULL, last_status = :status, last_error = :error
FROM (SELECT now() + make_interval(secs => :retry_seconds) AS at) retry
WHERE e.id = :id AND e.status = 'sending'

-- name: mark_bounced!
-- A permanent refusal (5xx) of the recipient: failed, and the address gets no more mail
-- until its owner confirms it again.
WITH failed AS (
    UPDATE emails SET status = 'failed', lease_until = NULL, last_status = :status,
                      last_error = :error
    WHERE id = :id AND status = 'sending'
    RETURNING to_address
)
UPDATE email_addresses SET bounced_at = now(), bounce_reason = :error
WHERE address = (SELECT to_address FROM failed)

-- name: mark_failed!
-- Not worth trying again (the message itself was refused), kept with the reason.
UPDATE emails SET status = 'failed', lease_until = NULL, last_status = :status, last_error = :error
WHERE id = :id AND status = 'sending'

-- name: mark_skipped!
-- No longer worth sending: the follow-up was done, the address unsubscribed or bouncing. A
-- reminder, digest or summary no longer emailed there goes by push instead when its owner
-- gets reminders by push now (skip_email() in logic.sql).
SELECT skip_email(:id)

-- name: confirm$
-- The owner of :address pressed a button in an email we sent for :account_id (or typed a
-- code sent there into it): confirmed for that account too, taking nothing from another.
-- A bounce before is forgotten (they just read our mail); :resubscribe (the button of a
-- confirmation: "I want mail here") undoes an unsubscribe. Returns the address.
WITH confirmed AS (
    INSERT INTO address_confirmations (address, account_id)
    SELECT address, :account_id FROM email_addresses WHERE address = :address
    ON CONFLICT (address, account_id) DO NOTHING
)
UPDATE email_addresses
SET confirmed_at = coalesce(confirmed_at, now()), bounced_at = NULL, bounce_reason = '',
    unsubscribed_at = CASE WHEN :resubscribe THEN NULL ELSE unsubscribed_at END
WHERE address = :address
RETURNING address

-- name: card_carries$
-- Whether :account_id's card carries :address now (true, or NULL: no), its row locked until
-- the transaction ends. An email's button confirms only an address the card still uses: one
-- changed since (a slip fixed, a colleague's address put there by mistake) is not the owner's,
-- and confirmed it would sign in to the account (signin.sql) and get its codes. The lock
-- keeps a change to the card from slipping in before the confirmation commits; one committed
-- meanwhile is waited for, and the card read as it left it.
SELECT true FROM cards
WHERE account_id = :account_id AND lower(email) = :address
FOR SHARE

-- name: wait_for_locks!
-- How long each statement of an email's button (server/mail/routes.py) waits for a lock,
-- :timeout ('5s'), for the rest of the transaction: one held by a transaction that is stuck
-- fails the press (a 503 "Back in a moment", nothing done) rather than keep it, and the pool
-- connection it holds, waiting for good.
SELECT set_config('lock_timeout', :timeout, true)

-- name: hold_met_followup!
-- An email's button pressed (server/mail/routes.py): the follow-up of :account_id's with
-- :about_id that "Remind me tomorrow" sets, held (NO KEY UPDATE, as its update takes it)
-- before the account (hold_account, below), as a merge takes them (lock_merge() in
-- logic.sql: her follow-ups, then her account). Taken after the account, the press would
-- hold the account and wait for the follow-up while a merge held that and waited for the
-- account, in a circle.
SELECT 1 FROM followups f
JOIN contacts ct ON ct.id = f.contact_id
WHERE ct.owner_id = :account_id AND ct.contact_id = :about_id
FOR NO KEY UPDATE OF f

-- name: hold_session!
-- An email's "Confirm my address" pressed in a browser signed in (session :id) to
-- :account_id, the account it confirms for (server/mail/routes.py): that session, which
-- offering a guest card there renews and ends (sessions.renew_offering_guest takes it FOR
-- UPDATE, then hand_over), held as they take it, before the account (hold_account, below),
-- as a merge takes them (lock_merge() in logic.sql: her sessions, then her account). Taken
-- after the account, the press would hold the account and wait for the session while a
-- merge held that and waited for the account, in a circle.
SELECT 1 FROM sessions WHERE id = :id AND account_id = :account_id FOR UPDATE

-- name: hold_account$
-- :account_id, held (KEY SHARE: what its confirmation's insert takes) until the transaction
-- ends, before its card (card_carries, above), as a merge and a deletion take them (the
-- account, then the card): taken after the card, the press would hold the card and wait
-- for the account while a merge held that and waited for the card, in a circle. One being
-- merged or deleted is waited for; true, or NULL when it went meanwhile (the email then
-- read again shows where it went: email_for_link, below).
SELECT true FROM accounts WHERE id = :account_id FOR KEY SHARE

-- name: unsubscribe$
-- No more mail to :address (idempotent: the first moment is kept). Queued mail is skipped,
-- but for what someone is waiting for, as the unsubscribe page says: a code (to sign in,
-- delete, merge, prove) and a confirmation asked for in Settings still go (Composer.stale
-- sends them to an unsubscribed address too).
-- An address whose row went since (its card deleted, then retention) gets one back, bare:
-- an unsubscribed row is kept as a suppression (delete_account() and retention.sql keep it),
-- so whoever leaves the address on a card later mails nothing to it.
WITH said AS (
    INSERT INTO email_addresses AS e (address, unsubscribed_at) VALUES (:address, now())
    ON CONFLICT (address) DO UPDATE SET unsubscribed_at = coalesce(e.unsubscribed_at, now())
    RETURNING address
), skipped AS (
    UPDATE emails SET status = 'skipped'
    WHERE to_address = (SELECT address FROM said) AND status = 'queued'
      AND kind NOT IN ('code', 'delete_code', 'merge_code', 'prove_code', 'confirm')
)
SELECT address FROM said

-- name: resubscribe$
-- Its owner, signed in to the account it is confirmed for, asks for mail again (Settings).
-- Anyone else's card carrying it cannot undo what its owner said. Returns the address when
-- mail goes there again at once (it was confirmed for them, and does not bounce): no
-- confirmation is needed then.
UPDATE email_addresses e SET unsubscribed_at = NULL
WHERE e.address = :address
  AND EXISTS (SELECT 1 FROM address_confirmations x
              WHERE x.address = e.address AND x.account_id = :account_id)
RETURNING CASE WHEN e.bounced_at IS NULL THEN e.address END

-- name: address_state^
-- What Settings shows about :address.
SELECT address, confirmed_at, unsubscribed_at, bounced_at, bounce_reason
FROM email_addresses WHERE address = :address

-- name: outbox_for
-- The latest emails to :account_id, for Settings: what was sent, what waits, what failed and why.
-- Only those its owner is shown (email_shown_to_owner() in logic.sql, as the export): not a
-- sign-in code to an address another card its owner made carries too.
SELECT m.id, m.kind, m.to_address, m.status, m.attempts, m.last_error, m.created_at, m.sent_at,
       m.next_attempt_at
FROM emails m
WHERE m.account_id = :account_id
  AND email_shown_to_owner(m.account_id, m.kind, m.to_address)
ORDER BY m.id DESC
LIMIT 5

-- name: email_for_link^
-- The email a confirm link was sent in, with what its page says: whether reminders go to
-- that address now (reminder_address() in logic.sql), and whether they would once its button
-- is pressed, which confirms it for the account and undoes an unsubscribe or a bounce: as
-- reminder_channels() decides, for the address as the button leaves it (the card still
-- carries it, and Settings send reminders by email, or automatically with no push device in
-- use: reminder_devices()). Not reminder_channels() itself: it asks the address be confirmed,
-- and not bouncing nor unsubscribed, which is what the button makes it.
-- Whether it bounces or was unsubscribed: a confirmed address whose mail stopped is not done
-- with until the button is pressed again (Settings' "Send me a confirmation" is how back).
-- Whether the account's card still carries it (``on_card``): its button confirms nothing else
-- (card_carries, above).
SELECT m.id, m.kind, m.account_id, m.to_address, m.about_id, about.name AS about_name,
       a.time_zone, coalesce(me.name, '') AS card_name,
       -- A "You met" to details typed on someone's phone (as mail.claim reads it): the
       -- account's time zone came from that phone, not its reader, so the page names it.
       coalesce(m.typed_for_them, a.guest) AS typed_for_them,
       -- Still a guest (nobody signed in to it, so nobody chose its zone in Settings): its
       -- zone is that phone's guess, which "Remind me tomorrow" replaces (guess_zone, below).
       a.guest,
       coalesce(lower(me.email) = m.to_address, false) AS on_card,
       (SELECT x.confirmed_at FROM address_confirmations x
        WHERE x.address = m.to_address AND x.account_id = m.account_id) AS confirmed_at,
       ea.bounced_at, ea.unsubscribed_at,
       reminder_address(m.account_id) IS NOT DISTINCT FROM m.to_address AS reminded_there,
       coalesce(lower(me.email) = m.to_address
                AND (a.reminders_by IN ('email', 'both')
                     OR (a.reminders_by IS NULL
                         AND NOT EXISTS (SELECT 1 FROM reminder_devices(m.account_id)))),
                false) AS emailed_once_pressed
FROM emails m
JOIN accounts a ON a.id = m.account_id
JOIN email_addresses ea ON ea.address = m.to_address
LEFT JOIN cards about ON about.account_id = m.about_id
LEFT JOIN cards me ON me.account_id = m.account_id
WHERE m.id = :id

-- name: met_email_to$
-- The address the "You met" email about :about_id went (or goes) to, for :account_id's
-- welcome page; NULL when none was sent (no address, or one we may not write to).
SELECT m.to_address FROM emails m
WHERE m.account_id = :account_id AND m.about_id = :about_id AND m.kind = 'met'
  AND m.status IN ('queued', 'sending', 'sent')
ORDER BY m.id DESC LIMIT 1

-- name: followup_about^
-- :account_id's follow-up with :about_id, as a "You met" link opened again finds it, and
-- when "Remind me tomorrow" would make it due if pressed now (remind_tomorrow, below).
SELECT f.status, f.due_at, a.time_zone, f.due_at > now() AS ahead,
       morning_after(a.time_zone, now(), 1) AS tomorrow_due
FROM followups f
JOIN contacts ct ON ct.id = f.contact_id
JOIN accounts a ON a.id = f.owner_id
WHERE ct.owner_id = :account_id AND ct.contact_id = :about_id

-- name: guess_zone$
-- "Remind me tomorrow" pressed for :account_id, a guest (details typed on someone's phone,
-- which gave it that phone's zone; nobody has signed in to it, so nobody chose one): the
-- pressing browser's zone, :time_zone, is a better guess, and its 09:00 is the reader's.
-- Run before remind_tomorrow (below) times the reminder, with the account held (hold_account)
-- after the follow-up, as a merge takes them. Only the zone: a guest's one follow-up is the
-- one remind_tomorrow sets anew, and nothing of theirs waits for a waking hour (a signed-in
-- account's zone moves all that: accounts.set_preferences). An account no longer a guest is
-- left as it is. Returns the zone when it changed.
UPDATE accounts SET time_zone = :time_zone
WHERE id = :account_id AND guest AND time_zone <> :time_zone
RETURNING time_zone

-- name: remind_tomorrow^
-- "Remind me tomorrow to follow up" with :about_id, pressed by :account_id: their follow-up
-- is due tomorrow at 09:00 their time, a new round. One turned off is turned on again: the
-- button asks for that reminder (its page says so); one done stays done. Returns when.
UPDATE followups f
SET status = 'open', due_at = morning_after(a.time_zone, now(), 1), round = f.round + 1,
    snoozed = false, updated_at = now()
FROM contacts ct, accounts a
WHERE ct.owner_id = :account_id AND ct.contact_id = :about_id AND f.contact_id = ct.id
  AND f.status IN ('open', 'off') AND a.id = f.owner_id
RETURNING f.due_at, a.time_zone

-- name: email_settings^
-- What Settings shows about :account_id's email: the address on their card, whether it is
-- confirmed for them, and what its owner said and whether it bounces (to an account it is
-- confirmed for: another card carrying someone's address learns nothing of it; a bounce
-- also while it is confirmed for nobody, as after a typo), and whether reminders go there
-- now (reminder_address in logic.sql).
SELECT c.email, mine.confirmed_at,
       CASE WHEN mine.confirmed_at IS NOT NULL THEN ea.unsubscribed_at END AS unsubscribed_at,
       CASE WHEN mine.confirmed_at IS NOT NULL OR ea.confirmed_at IS NULL
            THEN ea.bounced_at END AS bounced_at,
       ea.bounce_reason,
       reminder_address(:account_id) IS NOT NULL AS reminded_by_email,
       EXISTS (SELECT 1 FROM emails m WHERE m.account_id = :account_id AND m.kind = 'confirm'
               AND m.status IN ('queued', 'sending')) AS confirmation_waiting
FROM cards c
LEFT JOIN email_addresses ea ON ea.address = lower(c.email)
LEFT JOIN address_confirmations mine
       ON mine.address = ea.address AND mine.account_id = c.account_id
WHERE c.account_id = :account_id
