-- name: account_for
-- The account a live session belongs to, if any.
SELECT account_id FROM sessions WHERE token_hash = $1 AND revoked_at IS NULL

