-- name: create!
-- Store a processed photo for an account.
INSERT INTO photos (key, account_id, jpeg) VALUES (:key, :account_id, :jpeg)

-- name: get$
-- The JPEG bytes for a photo key.
SELECT jpeg FROM photos WHERE key = :key

-- name: delete_unused!
-- Remove an account's photos that its card no longer points to.
DELETE FROM photos p
WHERE p.account_id = :account_id
  AND NOT EXISTS (SELECT 1 FROM cards c WHERE c.photo_key = p.key)
