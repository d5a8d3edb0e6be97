-- name: current^
-- My code that still has a while to run, so reopening the Tap screen keeps it.
SELECT code, expires_at FROM swap_codes
WHERE account_id = :account_id AND used_at IS NULL AND expires_at > now() + :keep_if_left::interval
ORDER BY expires_at DESC
LIMIT 1

-- name: issue^
-- Take code :code for account :account_id for :ttl, unless someone holds it: a code is only drawn
-- again an hour after it expired, so a late "already used" or "expired" stays right.
INSERT INTO swap_codes (code, account_id, expires_at) VALUES (:code, :account_id, now() + :ttl::interval)
ON CONFLICT (code) DO UPDATE
    SET account_id = excluded.account_id, created_at = now(),
        expires_at = excluded.expires_at, used_at = NULL, used_by = NULL
    WHERE swap_codes.expires_at < now() - interval '1 hour'
RETURNING code, expires_at

-- name: lock_guesser!
-- Serialise the guessing limit per person and per address (two keys, always in this order).
SELECT pg_advisory_xact_lock(hashtextextended('code-account:' || :account_id::bigint, 0)),
       pg_advisory_xact_lock(hashtextextended('code-ip:' || coalesce(:ip::text, ''), 0))

-- name: misses^
-- Wrong codes typed since :since by this person, and from this address.
SELECT (SELECT count(*) FROM code_misses WHERE account_id = :account_id AND at > :since) AS by_account,
       (SELECT count(*) FROM code_misses WHERE ip = :ip::inet AND at > :since) AS by_ip

-- name: record_miss!
INSERT INTO code_misses (account_id, ip) VALUES (:account_id, :ip::inet)

-- name: find^
-- A code with its holder's name, locked until this swap commits.
SELECT s.code, s.account_id, s.created_at, s.expires_at, s.used_at, s.used_by, c.name
FROM swap_codes s JOIN cards c ON c.account_id = s.account_id
WHERE s.code = :code
FOR UPDATE OF s

-- name: use!
UPDATE swap_codes SET used_at = now(), used_by = :used_by WHERE code = :code

-- name: retire!
-- "New code": the current one stops working now.
UPDATE swap_codes SET expires_at = now() WHERE account_id = :account_id AND used_at IS NULL AND expires_at > now()
