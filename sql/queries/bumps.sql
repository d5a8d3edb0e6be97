-- name: scopes_for$
-- Where a bump of :account_id can pair: each event it is at now, or outside events its
-- network :network. Two bumps pair only when they share one.
SELECT bump_scopes_of(:account_id, :network)

-- name: lock_scopes!
-- Pairing in a scope happens one bump at a time, across every web process: waits for the
-- locks of scopes :scopes (server/tap/bumps.py: only as a transaction's first lock).
SELECT lock_bump_scopes(:scopes::text[])

-- name: try_lock_scopes$
-- The locks of scopes :scopes as well, if nobody holds one now; false otherwise.
SELECT try_lock_bump_scopes(:scopes::text[])

-- name: lock_bumps!
-- Waits for the locks of every scope of bumps :bump_ids: what changing them takes.
SELECT lock_bump_scopes(
    ARRAY(SELECT scope FROM bump_scopes WHERE bump_id = ANY (:bump_ids::bigint[])))

-- name: insert$
-- A bump of :account_id in each of scopes :scopes (the first, its current event, kept on the row).
WITH bump AS (
    INSERT INTO bumps (account_id, scope, bumped_at, force)
    VALUES (:account_id, (:scopes::text[])[1], :bumped_at, :force)
    RETURNING id, bumped_at
), scoped AS (
    INSERT INTO bump_scopes (scope, bumped_at, bump_id)
    SELECT DISTINCT scope, bump.bumped_at, bump.id FROM bump, unnest(:scopes::text[]) AS scope
)
SELECT id FROM bump

-- name: nearby
-- The other bumps sharing one of scopes :scopes between :since and :until, and the partners of
-- those paired, each with all its scopes. Bumps of someone :account_id blocked, or who blocked
-- them, are not there for it: the two never pair, and each only hears that no phone bumped back.
WITH near AS (
    SELECT b.id, b.account_id, (extract(epoch FROM b.bumped_at) * 1000)::float8 AS at_ms,
           b.force, b.state, b.partner_id
    FROM bumps b
    WHERE b.id IN (SELECT s.bump_id FROM bump_scopes s
                   WHERE s.scope = ANY (:scopes::text[]) AND s.bumped_at BETWEEN :since AND :until
                     AND s.bump_id <> :bump_id)
      AND b.account_id NOT IN (SELECT account_id FROM blocked_with(:account_id))
), found AS (
    SELECT * FROM near
    UNION
    SELECT b.id, b.account_id, (extract(epoch FROM b.bumped_at) * 1000)::float8, b.force,
           b.state, b.partner_id
    FROM bumps b JOIN near ON b.id = near.partner_id
)
SELECT found.*, ARRAY(SELECT s.scope FROM bump_scopes s WHERE s.bump_id = found.id) AS scopes
FROM found

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
SELECT b.id, b.state, b.partner_id, b.chosen_id, b.force,
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
-- too, nearest first: whom "pick who you bumped" may list (never someone blocked either way; only
-- someone sharing one of its scopes, and at an event only if listed on that event's roster: who
-- hid there is not named to strangers, nor is someone of another event to anyone). `named`: the
-- name and headline may be shown. Not for someone met only on a network (the same Wi-Fi, no
-- event in common) who is unlisted at an event they are at now (events_on(): joined since the
-- bump, or an event's grace begun): who hid even from that event's own attendees is not named
-- to a stranger on the network. Listed still, without the name ("Someone nearby"), since they
-- may be the one bumped: two who pick each other swap, which is consent.
SELECT DISTINCT o.id, o.account_id, (extract(epoch FROM o.bumped_at) * 1000)::float8 AS at_ms,
       o.force, o.state, o.chosen_id, c.name, c.headline,
       abs(extract(epoch FROM o.bumped_at - b.bumped_at)) AS apart,
       (EXISTS (SELECT 1 FROM bump_scopes m JOIN bump_scopes n ON n.scope = m.scope
                JOIN event_attendees ea ON ea.event_id::text = m.scope
                WHERE m.bump_id = b.id AND n.bump_id = o.id AND ea.account_id = o.account_id
                  AND ea.listed AND ea.left_at IS NULL)
        OR NOT EXISTS (SELECT 1 FROM events_on(o.account_id, now()) AS here
                       JOIN event_attendees ea ON ea.event_id = here.event_id
                       WHERE ea.account_id = o.account_id AND NOT ea.listed)) AS named
FROM bumps b
JOIN bump_scopes mine ON mine.bump_id = b.id
JOIN bump_scopes near ON near.scope = mine.scope AND near.bump_id <> b.id
     AND near.bumped_at BETWEEN b.bumped_at - :window::interval AND b.bumped_at + :window::interval
JOIN bumps o ON o.id = near.bump_id AND o.account_id <> b.account_id
JOIN cards c ON c.account_id = o.account_id
WHERE b.id = :bump_id AND o.state = 'ambiguous'
  AND o.account_id NOT IN (SELECT account_id FROM blocked_with(b.account_id))
  AND (mine.scope LIKE 'net:%' OR EXISTS (
      SELECT 1 FROM event_attendees ea
      WHERE ea.event_id::text = mine.scope AND ea.account_id = o.account_id
        AND ea.listed AND ea.left_at IS NULL))
ORDER BY apart, o.id

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
