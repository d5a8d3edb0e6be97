-- name: take$
-- Count one hit against a limit, unless it is used up: NULL when counted, otherwise how long
-- to wait (take_limit() in sql/logic.sql, under an advisory lock per bucket and key).
SELECT take_limit(:bucket, :key, :most, :span::interval)
