-- name: account_for^
-- The account a live session belongs to, if any, with the time zone its pages use, how it
-- wants reminders (a follow-up of someone who wants none says "Follow up", not "Reminder"), the
-- number of follow-ups due now and of requests to connect waiting for an answer, people who
-- left details on a card that asks first included (together the number on the Follow-ups
-- tab, which says each apart, and on the app icon; the requests also by the link to them).
SELECT w.*, w.followups_due + w.requests_waiting AS due_count
FROM (
    SELECT s.account_id, s.id AS session_id, a.time_zone,
           coalesce(a.reminders_by, '') AS reminders_by,
           (s.user_agent = '' OR s.last_seen_at < now() - interval '1 hour') AS stale,
           (SELECT count(*) FROM followups f
            WHERE f.owner_id = s.account_id AND f.status = 'open' AND f.due_at <= now())
               AS followups_due,
           -- as requests.incoming lists them (open_requests(), logic.sql: inlined, so this
           -- plans as the same count written in place)
           (SELECT count(*) FROM open_requests(s.account_id))
           -- and those who left their details on my card, which asks first, to accept
           + (SELECT count(*) FROM contacts ct
              WHERE ct.owner_id = s.account_id AND ct.sharing = 'pending') AS requests_waiting
    FROM sessions s JOIN accounts a ON a.id = s.account_id
    WHERE s.token_hash = :token_hash AND s.revoked_at IS NULL
      -- Unused for a cookie's life (Chrome's cap): over on the server too (session_in_use()
      -- in logic.sql).
      AND session_in_use(s.last_seen_at)
) w

-- name: tab_count^
-- The Follow-ups tab's number for :account_id as it is now, counted as account_for counts it
-- (keep the two alike): for an answer in place after something that changed it (a Block
-- drops my follow-up of them and declines their request), which the viewer read before.
SELECT w.*, w.followups_due + w.requests_waiting AS due_count
FROM (
    SELECT (SELECT count(*) FROM followups f
            WHERE f.owner_id = :account_id AND f.status = 'open' AND f.due_at <= now())
               AS followups_due,
           (SELECT count(*) FROM open_requests(:account_id))
           + (SELECT count(*) FROM contacts ct
              WHERE ct.owner_id = :account_id AND ct.sharing = 'pending') AS requests_waiting
) w

-- name: of_deleted_account$
-- Whether the cookie :token_hash was signed in to an account deleted since from another
-- browser (migration 0037).
SELECT EXISTS (SELECT 1 FROM sessions_of_deleted_accounts WHERE token_hash = :token_hash)

-- name: began_before_host_cookie$
-- Whether the session :token_hash began before session cookies took the __Host- prefix
-- (when migration 0018 was applied): only such a session may arrive under the old name.
SELECT EXISTS (
    SELECT 1 FROM sessions s, schema_migrations m
    WHERE s.token_hash = :token_hash AND m.name = '0018_plain_names' AND s.created_at < m.applied_at
)

-- name: touch!
-- Seen again (at most hourly, see account_for.stale): when, with which browser, from where.
UPDATE sessions
SET last_seen_at = now(), user_agent = :user_agent,
    ip = CASE WHEN ip = '' THEN :ip ELSE ip END
WHERE id = :session_id

-- name: start$
-- A browser signs in to :account_id (by :signed_in_by); returns the session's id.
-- :merge_from is the account this browser held before, when it has contacts to offer (or a
-- guest card with :proven_address, the address an email code just proved, NULL for any other
-- way in). A guest's first sign-in claims it: it is theirs, and no longer deleted after a year.
-- :proven: the way in proved it is them, just now (proving.ways): an email code, or a passkey
-- that asked for a face, fingerprint or PIN; what asks for a proof (adding a passkey, deleting)
-- asks nothing more for a while. A move code is no such proof (whoever holds the unlocked phone
-- can show one), nor is a passkey that did not ask, nor making a card.
WITH claimed AS (UPDATE accounts SET guest = false WHERE id = :account_id AND guest)
INSERT INTO sessions (token_hash, account_id, signed_in_by, user_agent, ip, merge_from,
                      proven_address, fresh_sign_in_at)
VALUES (:token_hash, :account_id, :signed_in_by, :user_agent, :ip, :merge_from, :proven_address,
        CASE WHEN :proven THEN now() END)
RETURNING id

-- name: hand_over!
-- This browser signed in again to the account it was signed in to (session :new_id, just
-- started): one session in Settings, not two, and its push subscriptions go on with it.
WITH moved AS (
    UPDATE push_subscriptions SET session_id = :new_id WHERE session_id = :old_id
)
UPDATE sessions SET revoked_at = now()
WHERE id = :old_id AND account_id = :account_id AND revoked_at IS NULL

-- name: merge_offer^
-- The account this session may merge in, with what the page says about it: a guest card
-- (typed on someone's phone) names the people who have it, but for anyone blocked with
-- :account_id (merging does not connect them: merge_accounts()); the card it goes into (a
-- lure, "sign in here" with someone else's code, shows); the browsers still signed in to it
-- (merging signs them out); the minutes left. An offer is open for an hour after signing in:
-- a browser left on the question does not keep the power to take that account for good.
-- And its ways of proof, for proving it is this person's own: whoever holds an unlocked
-- phone could sign in to their own account on it and merge its owner's in. A confirmed
-- address (``proof_address``, chosen as proving.ways chooses, by proof_address() in logic.sql:
-- one that does not bounce, then the card's, then the one confirmed last; so ``proof_bounced``
-- says mail to every one of them bounced) and its passkeys. ``proof_given`` says it was
-- proven: by a code to that address or a passkey in this session (merge_proven_for), or by the
-- sign-in itself when its email code proved an address confirmed for it; a guest card is
-- offered only for the address the code proved. An account with no way of proof (as
-- proving.Ways counts them: an address whose mail bounces is none) has nothing but the session
-- that held it (merging.offer says so).
SELECT s.merge_from AS account_id, c.name, a.guest,
       coalesce(mine.name, '') AS into_name,
       (SELECT count(*) FROM contacts x WHERE x.owner_id = s.merge_from) AS contacts,
       -- What else keeps a card with no contacts from going unasked (accounts.delete_if_empty),
       -- as its owner knows it: events it organises or joined, her blocks (never one on her:
       -- a block is not told), requests to connect either way that she sees as waiting, her
       -- removals Undo can still take back (never one of her: a removal is not told).
       (SELECT count(*) FROM events e
        WHERE e.organizer_id = s.merge_from
           OR EXISTS (SELECT 1 FROM event_attendees ea
                      WHERE ea.event_id = e.id AND ea.account_id = s.merge_from)) AS events,
       (SELECT count(*) FROM blocks b WHERE b.blocker_id = s.merge_from) AS blocks,
       (SELECT count(*) FROM connect_requests r
        WHERE r.withdrawn_at IS NULL
          AND ((r.from_id = s.merge_from AND r.status IN ('pending', 'declined'))
               OR (r.to_id = s.merge_from AND r.status = 'pending'))) AS requests,
       (SELECT count(*) FROM contact_removals x
        WHERE x.remover_id = s.merge_from AND x.undo_until > now()) AS removals,
       (SELECT string_agg(them.name, ', ' ORDER BY them.name) FROM contacts x
        JOIN cards them ON them.account_id = x.contact_id
        WHERE x.owner_id = s.merge_from
          AND x.contact_id NOT IN (SELECT account_id FROM blocked_with(:account_id)))
           AS known_by,
       (SELECT count(*) FROM sessions o
        WHERE o.account_id = s.merge_from AND o.revoked_at IS NULL
          AND session_in_use(o.last_seen_at)) AS other_browsers,
       ceil(extract(epoch FROM s.created_at + interval '1 hour' - now()) / 60)::int
           AS minutes_left,
       proof.address AS proof_address, coalesce(proof.bounced, false) AS proof_bounced,
       keys.passkeys, s.merge_proven_for IS NOT DISTINCT FROM s.merge_from AS proven_here,
       (a.guest OR s.merge_proven_for IS NOT DISTINCT FROM s.merge_from
        OR EXISTS (SELECT 1 FROM address_confirmations pa
                   WHERE pa.account_id = s.merge_from AND pa.address = s.proven_address))
           AS proof_given
FROM sessions s JOIN cards c ON c.account_id = s.merge_from
JOIN accounts a ON a.id = s.merge_from
LEFT JOIN cards mine ON mine.account_id = s.account_id
CROSS JOIN LATERAL (
    SELECT count(*) AS passkeys FROM passkeys p WHERE p.account_id = s.merge_from
) keys
LEFT JOIN LATERAL proof_address(s.merge_from) proof ON true
WHERE s.id = :session_id AND s.account_id = :account_id AND s.merge_from IS NOT NULL
  AND s.created_at > now() - interval '1 hour'

-- name: merge_proven!
-- This session's person proved that :source, the account offered to merge in, is theirs (a
-- code to its address, one of its passkeys): only while it is still the one offered.
UPDATE sessions SET merge_proven_for = :source
WHERE id = :session_id AND account_id = :account_id AND merge_from = :source
  AND created_at > now() - interval '1 hour'

-- name: guest_to_offer$
-- A guest card with :address (the one an email code just proved is theirs), other than
-- :account_id's own: someone typed them in on their phone (guest_to_offer() in logic.sql,
-- the oldest first). NULL if none.
SELECT g.id FROM guest_to_offer(:address, :account_id) g

-- name: offer_next_guest$
-- After a choice on the merge page of a session where an email proved an address (a code it
-- signed in with, or a confirmation's button pressed in it: renew_offering_guest): the next
-- guest card with that address (as sessions.guest_to_offer), offered the same way while the
-- hour of offers lasts. Never the card's address now: its owner may have put anyone's there
-- meanwhile. Returns it, or NULL.
UPDATE sessions s SET merge_from = (
    SELECT g.id FROM guest_to_offer(s.proven_address, s.account_id) g)
WHERE s.id = :session_id AND s.account_id = :account_id
  AND s.proven_address IS NOT NULL AND s.created_at > now() - interval '1 hour'
RETURNING merge_from

-- name: renew_offering_guest$
-- The button of "Confirm your address" (server/mail/routes.py), pressed in a browser signed in
-- (session :old_id) to :account_id, the account it confirms :address for: that proves the
-- address is theirs, as an email code does when signing in. So a guest card with it (someone
-- typed them in on their phone: sessions.guest_to_offer) is offered as signing in offers it,
-- in a session started now with the new token :token_hash (an offer is open for an hour after
-- signing in: merge_offer), the same device otherwise (as hand_over: its way in, its proof of
-- "Confirm it's you"; its push subscriptions and the end of the old session are hand_over's,
-- run next). None while an offer of this session is open, nor for a guest. Returns the new
-- session's id, or NULL: nothing offered, nothing changed.
WITH old AS (
    SELECT s.* FROM sessions s JOIN accounts me ON me.id = s.account_id AND NOT me.guest
    WHERE s.id = :old_id AND s.account_id = :account_id AND s.revoked_at IS NULL
      AND (s.merge_from IS NULL OR s.created_at <= now() - interval '1 hour')
    FOR UPDATE OF s
), guest AS (
    SELECT a.id FROM guest_to_offer(:address, :account_id) g
    JOIN accounts a ON a.id = g.id AND a.guest
    -- Held, so that it is never offered half gone: gone or claimed meanwhile, nothing is
    -- offered this time. One being merged or deleted right now (held FOR UPDATE) is skipped
    -- too, not waited for: the press holds this browser's session already, which the merge or
    -- deletion (holding the guest) then updates where it offered that guest before
    -- (merge_from, ON DELETE SET NULL), so each would wait for the other, in a circle.
    FOR KEY SHARE OF a SKIP LOCKED
), renewed AS (
    INSERT INTO sessions (token_hash, account_id, signed_in_by, user_agent, ip, merge_from,
                          proven_address, fresh_sign_in_at)
    SELECT :token_hash, old.account_id, old.signed_in_by, old.user_agent, old.ip, guest.id,
           :address, old.fresh_sign_in_at
    FROM old, guest
    RETURNING id
)
SELECT id FROM renewed

-- name: lock_merge_source!
-- The offered account, held for the merge's transaction: a passkey added to it meanwhile (its
-- row's key is shared by the insert) waits until the merge is done, so the proof read after
-- this is the one the merge goes by. Before it, what the reminder workers hold while they
-- queue and send, in their order (lock_merge() in logic.sql): otherwise a worker queueing
-- :source's reminders and the merge wait for each other (merging into :account_id).
SELECT lock_merge(:source, :account_id)

-- name: merge_into!
-- Everything of the offered account becomes :account_id's (merge_accounts in logic.sql).
SELECT merge_accounts(:source, :account_id)

-- name: decline_merge!
-- Keep them apart: the offer is gone from this session.
UPDATE sessions SET merge_from = NULL WHERE id = :session_id

-- name: list_for
-- My signed-in browsers, the most recently seen first. left_details: the browser that made
-- the account ('card') did so by leaving details on someone's card, not by making one:
-- join_with_details() in logic.sql makes the account and its contact with the sharer in one
-- statement, so that contact was met at the very moment the account was created (now() is
-- the transaction's); making a card never adds a contact then. Once that contact is removed
-- the browser reads as 'card' again (no column records how an account was made).
SELECT s.id, s.user_agent, s.ip, s.signed_in_by, s.created_at, s.last_seen_at,
       s.signed_in_by = 'card' AND EXISTS (
           SELECT 1 FROM accounts a JOIN contacts c ON c.owner_id = a.id
           WHERE a.id = s.account_id AND c.met_at = a.created_at
       ) AS left_details
FROM sessions s
WHERE s.account_id = :account_id AND s.revoked_at IS NULL
  AND session_in_use(s.last_seen_at)
ORDER BY s.last_seen_at DESC, s.id DESC

-- name: revoke$
-- Sign one of my browsers out (:id, mine); its push subscriptions go with it, and, when
-- :end_offers, so do the offers to merge my account in, made where it was signed in before
-- (merge_offer): whoever signs my browsers out wants nothing of mine to stay within reach
-- there. Not when this browser only switches to another account (server/signin/starting.py,
-- _replace_session): that is no sign-out by the account's owner, and each browser holding an
-- offer was signed in to it (two of one person's phones moving to her real card, one after
-- the other). Returns the id.
WITH revoked AS (
    UPDATE sessions SET revoked_at = now()
    WHERE id = :id AND account_id = :account_id AND revoked_at IS NULL
    RETURNING id
), unsubscribed AS (
    DELETE FROM push_subscriptions WHERE session_id IN (SELECT id FROM revoked)
), unoffered AS (
    UPDATE sessions SET merge_from = NULL
    WHERE merge_from = :account_id AND account_id <> :account_id
      AND :end_offers::boolean AND EXISTS (SELECT 1 FROM revoked)
)
SELECT id FROM revoked

-- name: revoke_others$
-- Sign out every browser of mine but :id (this one), with their push subscriptions and the
-- offers to merge my account in made in browsers it was signed in to before (a lent phone
-- someone else signed in to keeps none). Returns how many were signed out. The sessions are
-- taken in id order, as a merge takes them (lock_merge() in logic.sql): in the order a scan
-- meets them (which changes as rows are written anew), the two could wait for each other.
WITH mine AS MATERIALIZED (
    SELECT id FROM sessions
    WHERE account_id = :account_id AND id <> :id AND revoked_at IS NULL
    ORDER BY id FOR NO KEY UPDATE
), revoked AS (
    UPDATE sessions SET revoked_at = now()
    WHERE id IN (SELECT id FROM mine) AND account_id = :account_id AND revoked_at IS NULL
    RETURNING id
), unsubscribed AS (
    DELETE FROM push_subscriptions WHERE session_id IN (SELECT id FROM revoked)
), unoffered AS (
    UPDATE sessions SET merge_from = NULL
    WHERE merge_from = :account_id AND account_id <> :account_id
)
SELECT count(*) FROM revoked

-- name: delete_guest!
-- The owner of a guest card (an email code proved the address is theirs) deletes it: as an
-- account deleting itself (delete_account() in logic.sql). Only a guest.
SELECT delete_account(id) FROM accounts WHERE id = :account_id AND guest
