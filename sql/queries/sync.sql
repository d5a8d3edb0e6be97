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
