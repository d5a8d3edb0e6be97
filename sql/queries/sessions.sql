-- name: create
-- Record a session by the hash of its cookie value.
INSERT INTO sessions (token_hash, account_id) VALUES ($1, $2)

-- name: account_for
-- The account a live session belongs to, if any.
SELECT account_id FROM sessions WHERE token_hash = $1 AND revoked_at IS NULL

