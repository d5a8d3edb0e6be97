-- name: scope_for$
-- The event a bump can pair in: its bumper's now, or '' outside events (then its network).
SELECT coalesce(current_event(:account_id)::text, '')

-- name: lock_scope!
-- Pairing in one scope happens one bump at a time, across every web process.
SELECT pg_advisory_xact_lock(hashtextextended('bumps:' || :scope, 0))

-- name: insert$
INSERT INTO bumps (account_id, scope, bumped_at, force)
VALUES (:account_id, :scope, :bumped_at, :force)
RETURNING id

-- name: nearby
-- The other bumps of scope :scope between :since and :until, and the partners of those paired.
-- Bumps of someone :account_id blocked, or who blocked them, are not there for it: the two
-- never pair, and each only hears that no phone bumped back.
WITH near AS (
    SELECT id, account_id, (extract(epoch FROM bumped_at) * 1000)::float8 AS at_ms,
           force, state, partner_id
    FROM bumps
    WHERE scope = :scope AND bumped_at BETWEEN :since AND :until AND id <> :bump_id
      AND account_id NOT IN (SELECT account_id FROM blocked_with(:account_id))
)
SELECT * FROM near
UNION
SELECT b.id, b.account_id, (extract(epoch FROM b.bumped_at) * 1000)::float8, b.force,
       b.state, b.partner_id
FROM bumps b JOIN near ON b.id = near.partner_id

-- name: apply$
-- Write the pairing rule's decisions and wake whoever waits on those bumps.
WITH changed AS (
    UPDATE bumps b SET state = c.state, partner_id = c.partner_id
    FROM unnest(:ids::bigint[], :states::text[], :partner_ids::bigint[]) AS c (id, state, partner_id)
    WHERE b.id = c.id
    RETURNING b.id
)
SELECT count(pg_notify('bumps', id::text)) FROM changed

-- name: release_picks$
-- Those who picked one of bumps :ids, now swapped with each other, pick nobody now, and are
-- woken: "Waiting for Dana to pick you too…" gives way to the list, without the two.
WITH freed AS (
    UPDATE bumps SET chosen_id = NULL
    WHERE chosen_id = ANY (:ids::bigint[]) AND NOT id = ANY (:ids::bigint[]) AND state = 'ambiguous'
    RETURNING id
)
SELECT count(pg_notify('bumps', id::text)) FROM freed

-- name: get^
-- One of my bumps, with its partner's state and the name on the partner's card.
SELECT b.id, b.scope, b.state, b.partner_id, b.chosen_id, b.force,
       (extract(epoch FROM b.bumped_at) * 1000)::float8 AS at_ms,
       p.account_id AS partner_account,
       (extract(epoch FROM greatest(b.bumped_at, p.bumped_at)) * 1000)::float8 AS later_ms,
       p.state AS partner_state, c.name AS partner_name, c.photo_key AS partner_photo,
       c.headline AS partner_headline
FROM bumps b
LEFT JOIN bumps p ON p.id = b.partner_id
LEFT JOIN cards c ON c.account_id = p.account_id
WHERE b.id = :bump_id AND b.account_id = :account_id

-- name: set_state$
-- Move bump :bump_id from one of the states :from_states to :to_state; returns nothing when it had moved on.
-- Its partner's page is woken too: it shows this state ("Dana said yes.").
WITH changed AS (
    UPDATE bumps SET state = :to_state WHERE id = :bump_id AND state = ANY (:from_states::text[])
    RETURNING id, partner_id
)
SELECT count(pg_notify('bumps', woken::text))
FROM changed, LATERAL (VALUES (id), (partner_id)) AS w (woken)
WHERE woken IS NOT NULL

-- name: crowd
-- The others in ambiguous bump :bump_id's window (:window either side) who were told to try again
-- too, nearest first: whom "pick who you bumped" may list (never someone blocked either way,
-- and at an event only those listed on its roster: who hid there is not named to strangers).
SELECT o.id, o.account_id, (extract(epoch FROM o.bumped_at) * 1000)::float8 AS at_ms,
       o.force, o.state, o.chosen_id, c.name, c.headline
FROM bumps b
JOIN bumps o ON o.scope = b.scope AND o.account_id <> b.account_id
            AND o.bumped_at BETWEEN b.bumped_at - :window::interval AND b.bumped_at + :window::interval
JOIN cards c ON c.account_id = o.account_id
WHERE b.id = :bump_id AND o.state = 'ambiguous'
  AND o.account_id NOT IN (SELECT account_id FROM blocked_with(b.account_id))
  AND (b.scope LIKE 'net:%' OR EXISTS (
      SELECT 1 FROM event_attendees ea
      WHERE ea.event_id::text = b.scope AND ea.account_id = o.account_id
        AND ea.listed AND ea.left_at IS NULL))
ORDER BY abs(extract(epoch FROM o.bumped_at - b.bumped_at)), o.id

-- name: set_choice$
-- Record whom bump :bump_id picked, and wake both.
WITH changed AS (
    UPDATE bumps SET chosen_id = :chosen_id WHERE id = :bump_id RETURNING id
)
SELECT count(pg_notify('bumps', id::text))
FROM (SELECT id FROM changed UNION ALL SELECT :chosen_id::bigint) AS woken

-- name: chosen_by^
-- Whom bump :bump_id picked, and whose it is.
SELECT account_id, chosen_id, state FROM bumps WHERE id = :bump_id
