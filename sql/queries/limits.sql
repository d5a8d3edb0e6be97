-- name: take!
-- Count one hit against each limit (:buckets with their :keys, :mosts and :spans), all or
-- none: take_limits() in sql/logic.sql raises SQLSTATE 'RO429' for the first used up.
SELECT take_limits(:buckets, :keys, :mosts, :spans::interval[])

-- name: release!
-- Give back one hit (the latest) of a limit that counts what is going on now. SKIP LOCKED:
-- two giving back at once take two different hits, not the same one twice.
DELETE FROM limit_hits WHERE ctid = (
    SELECT ctid FROM limit_hits WHERE bucket = :bucket AND key = :key
    ORDER BY at DESC LIMIT 1 FOR UPDATE SKIP LOCKED
)

-- name: wait$
-- Whether a limit has room, counting nothing: NULL when it has, otherwise how long to wait
-- (limit_wait() in sql/logic.sql). Its advisory lock is held until the transaction ends.
SELECT limit_wait(:bucket, :key, :most, :span::interval)

-- name: hit!
-- Count one hit against a limit checked (wait) earlier in this transaction.
INSERT INTO limit_hits (bucket, key) VALUES (:bucket, :key)
