-- name: claim$
-- Claim a queued action's key; a concurrent replay of the same key waits here until
-- the first one commits, then finds it taken.
INSERT INTO synced_actions (account_id, key, payload_hash) VALUES (:account_id, :key, :payload_hash)
ON CONFLICT (account_id, key) DO NOTHING
RETURNING true

-- name: get^
SELECT payload_hash, status_code, answer FROM synced_actions WHERE account_id = :account_id AND key = :key

-- name: record!
UPDATE synced_actions SET status_code = :status_code, answer = :answer WHERE account_id = :account_id AND key = :key

-- name: forget!
-- Give back a key claimed in this transaction whose refusal is not kept (sync.kept): sent
-- again, it is answered anew; a concurrent sending waiting on the claim then claims it.
DELETE FROM synced_actions WHERE account_id = :account_id AND key = :key

-- name: merged_into$
-- Whether :source was merged into :account_id (merged_accounts, merge_accounts in logic.sql):
-- a swap its phone queued offline is then this account's own.
SELECT EXISTS (SELECT 1 FROM merged_accounts WHERE source = :source AND target = :account_id)

-- name: merged_of$
-- Which of :sources were merged into :account_id: the phone takes their queued swaps as this
-- account's (outbox.js).
SELECT coalesce(array_agg(source ORDER BY source), '{}') FROM merged_accounts
WHERE target = :account_id AND source = ANY(:sources::bigint[])
