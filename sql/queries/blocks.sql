-- name: block!
-- :blocker_id blocks :blocked_id, and everything between the two ends with it: both contact
-- rows go (their follow-ups, pushes and reminder emails by cascade), as does a removal between
-- them that could still be undone and a queued "You met" email; their pending request to me is
-- declined (silently, as any decline), mine to them withdrawn. From then on blocked_between()
-- (logic.sql) keeps them apart: no swap, no request, not in each other's rosters, matches or
-- bump crowds.
WITH blocked AS (
    INSERT INTO blocks (blocker_id, blocked_id) VALUES (:blocker_id, :blocked_id)
    ON CONFLICT DO NOTHING
), gone AS (
    DELETE FROM contacts
    WHERE (owner_id, contact_id) IN ((:blocker_id::bigint, :blocked_id::bigint),
                                     (:blocked_id::bigint, :blocker_id::bigint))
), no_undo AS (
    DELETE FROM contact_removals
    WHERE (remover_id, other_id) IN ((:blocker_id::bigint, :blocked_id::bigint),
                                     (:blocked_id::bigint, :blocker_id::bigint))
), met AS (
    DELETE FROM emails
    WHERE kind = 'met' AND status = 'queued'
      AND (account_id, about_id) IN ((:blocker_id::bigint, :blocked_id::bigint),
                                     (:blocked_id::bigint, :blocker_id::bigint))
), withdrawn AS (
    DELETE FROM connect_requests
    WHERE from_id = :blocker_id AND to_id = :blocked_id AND status = 'pending'
)
UPDATE connect_requests SET status = 'declined', decided_at = now()
WHERE from_id = :blocked_id AND to_id = :blocker_id AND status = 'pending'

-- name: hold_both$
-- Whether :blocker_id and :blocked_id both still have an account, holding both until the
-- transaction ends (KEY SHARE, as the foreign keys of `block` check them): a deletion of either
-- starting now waits for the block, then takes it with the account. Run after
-- contacts.hold_pair_followups (a deletion under way holds those before its account: this waits for it
-- there) and before `block`, in a statement of its own, so that both rows are held before
-- anything `block` deletes: held only by its foreign key check, at its end, a deletion under
-- way (holding the account, waiting for a contact row the block deleted) and the block would
-- wait for each other. False when either was deleted a moment ago (its deletion, under way,
-- is waited for): the insert would break the foreign key, and there is nobody left to keep
-- apart.
SELECT count(*) = 2 FROM (
    SELECT 1 FROM accounts WHERE id IN (:blocker_id::bigint, :blocked_id::bigint)
    ORDER BY id
    FOR KEY SHARE
) held

-- name: made$
-- Whether :blocker_id blocked :blocked_id already.
SELECT EXISTS (SELECT 1 FROM blocks WHERE blocker_id = :blocker_id AND blocked_id = :blocked_id)

-- name: unblock$
-- :blocker_id lifts their block on :blocked_id; returns nothing when there was none. What the
-- block ended stays ended: they may swap again, as strangers.
DELETE FROM blocks WHERE blocker_id = :blocker_id AND blocked_id = :blocked_id
RETURNING blocked_id

-- name: forget_if_lone!
-- :account_id, just unblocked: a guest (a card typed for someone without the app) that the
-- block was the last thing keeping is deleted now, not kept a year for nobody
-- (forget_lone_guests() in sql/logic.sql). Its own statement, after `unblock`, so that it
-- sees the block gone; in the same transaction.
SELECT forget_lone_guests(ARRAY[:account_id::bigint])

-- name: blocked_by
-- The people I blocked, latest first, as their cards name them: the name only, as the export
-- of my blocks has it. Their card as it is now (a new job) is not mine to read after a block.
SELECT b.blocked_id AS account_id, b.created_at, coalesce(c.name, 'Someone') AS name
FROM blocks b
LEFT JOIN cards c ON c.account_id = b.blocked_id
WHERE b.blocker_id = :blocker_id
ORDER BY b.created_at DESC, b.blocked_id
LIMIT 500

-- name: name_of$
-- The name on someone's card (for saying whom I just blocked or unblocked).
SELECT name FROM cards WHERE account_id = :account_id

-- name: address_blocked$
-- Whether :address (lower-cased) is on the card of someone blocked with :account_id, either
-- way (blocked_address() in sql/logic.sql).
SELECT blocked_address(:account_id, :address)
