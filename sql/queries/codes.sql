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
        expires_at = excluded.expires_at, used_at = NULL, used_by = NULL, near_misses = 0,
        retired_at = NULL
    WHERE swap_codes.expires_at < now() - interval '1 hour'
RETURNING code, expires_at

-- name: find^
-- A code with its holder's name, locked until this swap commits.
SELECT s.code, s.account_id, s.created_at, s.expires_at, s.used_at, s.used_by, s.near_misses,
       s.retired_at, c.name
FROM swap_codes s JOIN cards c ON c.account_id = s.account_id
WHERE s.code = :code
FOR UPDATE OF s

-- name: near_miss!
-- A failed guess of :code counts against every live code one digit away from it; the third
-- such guess kills that code (it expires now). Rows a concurrent swap holds are skipped rather
-- than waited for, so two guessers never wait on each other in a cycle.
UPDATE swap_codes
SET near_misses = near_misses + 1,
    expires_at = CASE WHEN near_misses + 1 >= :kill_at THEN now() ELSE expires_at END
WHERE code IN (
    SELECT code FROM swap_codes
    WHERE code IN (SELECT overlay(:code::text PLACING digit::text FROM place FOR 1)
                   FROM generate_series(1, 6) AS place, generate_series(0, 9) AS digit
                   WHERE substr(:code::text, place, 1) <> digit::text)
      AND used_at IS NULL AND expires_at > now()
    ORDER BY code
    FOR UPDATE SKIP LOCKED)

-- name: lock_drawer!
-- Serialise drawing codes for one account, so the limit on new codes holds under concurrency.
SELECT pg_advisory_xact_lock(hashtextextended('code-draw:' || :account_id::bigint, 0))

-- name: drawn$
-- Codes drawn for this account since :since that were never used (a used one was a swap).
SELECT count(*) FROM swap_codes
WHERE account_id = :account_id AND created_at > :since AND used_at IS NULL

-- name: use!
UPDATE swap_codes SET used_at = now(), used_by = :used_by WHERE code = :code

-- name: retire!
-- "New code": the current one stops working now, and is marked retired, so that a swap queued
-- "offline" with a moment before now does not redeem it either (someone may have seen it).
UPDATE swap_codes SET expires_at = now(), retired_at = now()
WHERE account_id = :account_id AND used_at IS NULL AND expires_at > now()

-- name: state^
-- What became of my code :code, for the Tap screen showing it: used (and with whom: their
-- name now and my contact row for them), expired, retired by "New code" (another tab's or
-- device's), or killed by :kill_at guesses next to it;
-- nothing when it is not mine (never drawn, or drawn again by someone else an hour after it
-- expired).
-- A code adds nothing to an earlier scan of a card that asks first and still waits to be
-- accepted (awaits_accept() in server/contacts/contacts.py, each way): i_wait, I have yet to
-- accept them; they_wait, they have yet to accept me.
SELECT s.used_at IS NOT NULL AS used, s.expires_at <= now() AS expired,
       s.near_misses >= :kill_at AS killed, s.retired_at IS NOT NULL AS retired,
       c.name AS used_by_name, ct.id AS contact_id,
       coalesce(ct.sharing = 'pending', false) AS i_wait,
       coalesce(theirs.sharing = 'pending', false) AS they_wait
FROM swap_codes s
LEFT JOIN cards c ON c.account_id = s.used_by
LEFT JOIN contacts ct ON ct.owner_id = s.account_id AND ct.contact_id = s.used_by
LEFT JOIN contacts theirs ON theirs.owner_id = s.used_by AND theirs.contact_id = s.account_id
WHERE s.code = :code AND s.account_id = :account_id
