-- name: lock_asking!
-- Serialize the limit checks for one address and one IP (until the transaction ends), so
-- that concurrent requests cannot each see room for one more.
SELECT pg_advisory_xact_lock(hashtext('sign-in-address:' || :address)),
       pg_advisory_xact_lock(hashtext('sign-in-ip:' || :ip))

-- name: asked_recently^
-- Codes asked for this address (for :purpose) in the last hour: in all, and from this
-- network (:ip, as limits.address_key gives it); and from this network for any address, for
-- :purpose, in the last :ip_span and in the last hour; with how long until the first of each
-- leaves its span (the count goes down then). The spans end when this statement starts, after
-- signin.lock_asking's wait: now(), the transaction's start, is before codes asked
-- meanwhile, and would make the wait longer than the span. Also whether this is a network
-- its owner signed in from (:network, the same as an inet, NULL for none: a session of an
-- account the address is confirmed for started there, which no stranger elsewhere can make),
-- and whether the browser :asker_hash has a code for it that still works.
SELECT by_address.count AS by_address, by_address.wait AS address_wait,
       by_address_ip.count AS by_address_ip, by_address_ip.wait AS address_ip_wait,
       by_ip.count AS by_ip, by_ip.wait AS ip_wait,
       by_ip_hour.count AS by_ip_hour, by_ip_hour.wait AS ip_hour_wait,
       EXISTS (SELECT 1 FROM address_confirmations x JOIN sessions s ON s.account_id = x.account_id
               WHERE x.address = :address AND :network::inet IS NOT NULL
                 -- Only an address is cast ('' where none was known): a CASE, as AND may
                 -- evaluate its sides in either order.
                 AND CASE WHEN s.ip ~ '^[0-9A-Fa-f.:]+$' THEN s.ip::inet <<= :network::inet END)
           AS owners_network,
       EXISTS (SELECT 1 FROM sign_in_codes
               WHERE address = :address AND purpose = :purpose AND asker_hash = :asker_hash::bytea
                 AND used_at IS NULL AND expires_at > now() AND tries_left > 0) AS codes_here
FROM (SELECT count(*), min(created_at) + interval '1 hour' - statement_timestamp() AS wait
      FROM sign_in_codes
      WHERE address = :address AND purpose = :purpose
        AND created_at > statement_timestamp() - interval '1 hour') AS by_address,
     (SELECT count(*), min(created_at) + interval '1 hour' - statement_timestamp() AS wait
      FROM sign_in_codes
      WHERE address = :address AND purpose = :purpose AND ip = :ip
        AND created_at > statement_timestamp() - interval '1 hour') AS by_address_ip,
     (SELECT count(*), min(created_at) + :ip_span::interval - statement_timestamp() AS wait
      FROM sign_in_codes
      WHERE ip = :ip AND purpose = :purpose
        AND created_at > statement_timestamp() - :ip_span::interval) AS by_ip,
     (SELECT count(*), min(created_at) + interval '1 hour' - statement_timestamp() AS wait
      FROM sign_in_codes
      WHERE ip = :ip AND purpose = :purpose
        AND created_at > statement_timestamp() - interval '1 hour') AS by_ip_hour

-- name: account_with_email$
-- The account whose card has :address, or that it is confirmed for (address_confirmations,
-- whatever its card says now: its owner may have put another address there since, or merged
-- in the account it was confirmed for); when there are several: one a code to the address
-- may open (code_opens() in logic.sql), then one its owner made rather than a guest card
-- someone typed for them (offered for merging once signed in), then one whose card has the
-- address (as before confirmations counted here: her own other card, say the app's, that
-- has it now, is signed in to, and offers to merge the one it was confirmed for), then one
-- the address is confirmed for, then the one used most recently. Opening first: a card that
-- merely carries someone's address, its own owner having a way of proof, must not keep them
-- from the guest card typed for them, nor from the account the address is confirmed for.
-- One it may not open is still found: the code goes out, so that asking tells nobody
-- whether a card has the address, and typing it then says why not.
WITH found AS (
    -- A union, each side by its index (an OR would read every card).
    SELECT c.account_id, true AS carries
    FROM cards c WHERE lower(c.email) = :address AND c.email <> ''
    UNION ALL
    SELECT x.account_id, false FROM address_confirmations x WHERE x.address = :address
)
SELECT f.account_id
FROM (SELECT account_id, bool_or(carries) AS carries FROM found GROUP BY account_id) f
JOIN accounts a ON a.id = f.account_id
LEFT JOIN LATERAL (SELECT max(last_seen_at) AS seen FROM sessions s
                   WHERE s.account_id = f.account_id) s ON true
ORDER BY code_opens(:address, f.account_id) DESC, a.guest, f.carries DESC,
         EXISTS (SELECT 1 FROM address_confirmations x
                 WHERE x.address = :address AND x.account_id = f.account_id) DESC,
         s.seen DESC NULLS LAST, f.account_id
LIMIT 1

-- name: opens$
-- Whether a sign-in code to :address may open :account_id (code_opens() in logic.sql).
SELECT code_opens(:address, :account_id)

-- name: cards_to_choose
-- The cards their owners made that carry :address, to choose from after the code was typed,
-- when it is not clear whose it is: several, not exactly one of them confirmed for it
-- (someone put another person's address on their card, by a slip or on purpose; or one
-- person has two accounts), and one at least that its code may open (code_opens()); oldest
-- first, each saying whether the code opens it. When none of those its code may open, the
-- accounts it is confirmed for whatever their cards say now count too (account_with_email
-- finds them; one such beside a card it opens is not: that card is signed in to, as before
-- confirmations counted, and offers the other for merging). One it may not open (a way of
-- proof, the address not confirmed for it) is listed too, to sign in to with that proof:
-- left out, the code opened the card left over unasked, someone else's maybe, and confirmed
-- the address for it, while its owner's own card has a passkey. Its name, headline and age
-- are NULL: anyone holding the address could make a card with it and ask a code to read them
-- (the page says only that another card carries it). Nothing when it is clear.
WITH carriers AS (
    SELECT c.account_id
    FROM cards c JOIN accounts a ON a.id = c.account_id
    WHERE lower(c.email) = :address AND c.email <> '' AND NOT a.guest
), found AS (
    SELECT account_id FROM carriers
    UNION
    SELECT x.account_id FROM address_confirmations x
    WHERE x.address = :address
      AND NOT EXISTS (SELECT 1 FROM carriers k WHERE code_opens(:address, k.account_id))
), carrying AS (
    SELECT c.account_id, c.name, c.headline, a.created_at,
           code_opens(:address, c.account_id) AS opens,
           EXISTS (SELECT 1 FROM address_confirmations x
                   WHERE x.address = :address AND x.account_id = c.account_id) AS confirmed
    FROM found f JOIN cards c ON c.account_id = f.account_id
    JOIN accounts a ON a.id = c.account_id
    WHERE NOT a.guest
)
SELECT account_id, CASE WHEN opens THEN name END AS name,
       CASE WHEN opens THEN headline END AS headline,
       CASE WHEN opens THEN created_at END AS created_at, opens
FROM carrying
WHERE (SELECT count(*) FROM carrying) > 1
  AND (SELECT count(*) FROM carrying WHERE confirmed) <> 1
  AND EXISTS (SELECT 1 FROM carrying WHERE opens)
ORDER BY carrying.created_at, account_id

-- name: new_code$
-- A code for :address (and :account_id, NULL when no card has it) to sign in, typed in the
-- browser :asker_hash, or for :account_id to be deleted or merged into another (:purpose;
-- :asker_hash NULL), valid :minutes minutes. The worker deletes codes after a day
-- (retention.sign_in_codes).
INSERT INTO sign_in_codes (address, account_id, code_hash, expires_at, ip, purpose, asker_hash)
VALUES (:address, :account_id, :code_hash, now() + make_interval(mins => :minutes), :ip, :purpose,
        :asker_hash)
RETURNING id

-- name: asked_address$
-- The address a sign-in code was asked for, by the asking's id (the code step's URL), while
-- its code is unused: once it signed this phone in, Back to the code step is the first step
-- (which says which card is signed in), not a form that looks as if nothing had happened.
SELECT address FROM sign_in_codes WHERE id = :id AND purpose = 'sign_in' AND used_at IS NULL

-- name: queue_code_email!
-- The email carrying the code (:kind: to sign in, to delete the account, to merge it);
-- someone is waiting for it, so it goes first and wakes the worker.
WITH noted AS (
    INSERT INTO email_addresses (address) VALUES (:address) ON CONFLICT (address) DO NOTHING
), queued AS (
    INSERT INTO emails (kind, account_id, to_address, code, waited_for)
    VALUES (:kind, :account_id, :address, :code, true)
)
SELECT pg_notify('mail', 'queued')

-- name: live_codes
-- The codes for :address and :purpose (and :account_id, when given) that can still be tried,
-- newest first, locked while the typed one is checked. Every code sent works, not only the
-- last: someone whose first email was slow asks again, then the first one arrives. A sign-in
-- code only in the browser :asker_hash that asked for it (NULL: none), so that a stranger's
-- wrong guesses cost tries of their own codes only; a code to delete or merge an account is
-- that account's.
SELECT id, account_id, code_hash
FROM sign_in_codes
WHERE address = :address AND purpose = :purpose AND used_at IS NULL AND expires_at > now()
  AND tries_left > 0 AND (:account_id::bigint IS NULL OR account_id = :account_id)
  AND (purpose <> 'sign_in' OR asker_hash = :asker_hash::bytea)
ORDER BY created_at DESC
FOR UPDATE

-- name: dead_code$
-- Whether the code :code_hash, none of this browser's live ones, was sent to :address for
-- :purpose: 'used', 'ended' (a sign-in code, live and never typed, ended when another
-- browser signed in with its own: use_code), 'expired', 'tried' (typed wrong too often),
-- or, a sign-in code still live, 'elsewhere' (another browser asked for it: it works there),
-- for the newest such; NULL when it never was.
SELECT CASE WHEN used_at IS NOT NULL AND ended_elsewhere THEN 'ended'
            WHEN used_at IS NOT NULL THEN 'used'
            WHEN tries_left <= 0 THEN 'tried'
            WHEN expires_at <= now() THEN 'expired'
            ELSE 'elsewhere' END
FROM sign_in_codes
WHERE address = :address AND purpose = :purpose AND code_hash = :code_hash
  AND (used_at IS NOT NULL OR expires_at <= now() OR tries_left <= 0 OR purpose = 'sign_in')
ORDER BY created_at DESC
LIMIT 1

-- name: wrong_try$
-- A wrong code: one try fewer for each of :ids, the live codes of the browser that typed it,
-- so that asking for another code gives no more guesses at once; returns the most tries any
-- of them has left.
WITH tried AS (
    UPDATE sign_in_codes SET tries_left = tries_left - 1
    WHERE id = ANY(:ids::bigint[])
    RETURNING tries_left
)
SELECT max(tries_left) FROM tried

-- name: use_code!
-- The right code, :id: used up, with every other code for the address and purpose, asked for
-- anywhere (one that might have got out, a stranger's asking its owner was talked into reading
-- out, dies once she signs in). Those still live that another browser asked for, never
-- typed, are marked ended (ended_elsewhere), so that typing one says she signed in elsewhere
-- (dead_code), not that it was used.
UPDATE sign_in_codes c
SET used_at = now(),
    ended_elsewhere = c.purpose = 'sign_in' AND c.asker_hash IS DISTINCT FROM t.asker_hash
                      AND c.expires_at > now() AND c.tries_left > 0
FROM sign_in_codes t
WHERE t.id = :id AND c.address = :address AND c.purpose = :purpose AND c.used_at IS NULL

-- name: new_move_code$
-- A move code for :account_id, shown in its session :session_id (signed out there, the code
-- is dead: use_move_code), valid :minutes minutes, and its id; any older one of theirs
-- stops working (it expires now: used_at stays for a code someone signed in with), and codes
-- older than a day are forgotten.
WITH retired AS (
    UPDATE move_codes SET expires_at = now()
    WHERE account_id = :account_id AND used_at IS NULL AND expires_at > now()
      AND created_at >= now() - interval '1 day'  -- the rest go below; a row changes once
), forgotten AS (
    DELETE FROM move_codes WHERE created_at < now() - interval '1 day'
)
INSERT INTO move_codes (account_id, session_id, code_hash, expires_at)
VALUES (:account_id, :session_id, :code_hash, now() + make_interval(mins => :minutes))
RETURNING id

-- name: move_code_state$
-- What became of my move code :id, for the page that shows it: 'waiting', 'used' (the other
-- browser signed in with it), 'replaced' (a newer code ended it) or 'expired'; NULL when it
-- is not :account_id's, forgotten, or the session that showed it is signed out (it signs
-- nobody in: use_move_code).
SELECT CASE
           WHEN m.used_at IS NOT NULL THEN 'used'
           WHEN NOT EXISTS (SELECT 1 FROM sessions s
                            WHERE s.id = m.session_id AND s.revoked_at IS NULL
                              AND session_in_use(s.last_seen_at))
               THEN NULL
           WHEN m.expires_at > now() THEN 'waiting'
           WHEN EXISTS (SELECT 1 FROM move_codes n WHERE n.account_id = m.account_id AND n.id > m.id)
               THEN 'replaced'
           ELSE 'expired'
       END
FROM move_codes m
WHERE m.id = :id AND m.account_id = :account_id

-- name: use_move_code$
-- The account a live code moves to (and the code used up), or NULL. Live: unused, unexpired,
-- and the session that showed it still signed in (as sessions.account_for has it). Its row
-- is held (FOR SHARE) until this transaction ends: a sign-out of it meanwhile waits, and one
-- committed while this waited is seen (the row is read again), so the code is refused.
UPDATE move_codes m SET used_at = now()
WHERE m.code_hash = :code_hash AND m.used_at IS NULL AND m.expires_at > now()
  AND EXISTS (SELECT 1 FROM sessions s
              WHERE s.id = m.session_id AND s.revoked_at IS NULL
                AND session_in_use(s.last_seen_at)
              FOR SHARE)
RETURNING m.account_id
