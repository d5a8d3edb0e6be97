-- name: create$
-- Store a processed photo for an account; returns its key, or NULL when the account is gone
-- (deleted from another browser while the photo was uploaded): nothing is stored. The account
-- is held until the transaction ends (FOR KEY SHARE), so a deletion waits for it.
INSERT INTO photos (key, account_id, jpeg)
SELECT :key, a.id, :jpeg FROM accounts a WHERE a.id = :account_id FOR KEY SHARE
RETURNING key

-- name: get$
-- The JPEG bytes for a photo key.
SELECT jpeg FROM photos WHERE key = :key

-- name: delete_unused!
-- Remove an account's photos that its card no longer points to.
DELETE FROM photos p
WHERE p.account_id = :account_id
  AND NOT EXISTS (SELECT 1 FROM cards c WHERE c.photo_key = p.key)
