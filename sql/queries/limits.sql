-- name: take!
-- Count one hit against each limit (:buckets with their :keys, :mosts and :spans), all or
-- none: take_limits() in sql/logic.sql raises SQLSTATE 'RO429' for the first used up.
SELECT take_limits(:buckets, :keys, :mosts, :spans::interval[])

-- name: release!
-- Give back one hit (in the latest slot that has one) of a limit that counts what is going on
-- now: limit_release() in sql/logic.sql, under the key's advisory lock.
SELECT limit_release(:bucket, :key)

-- name: wait$
-- Whether a limit has room, counting nothing: NULL when it has, otherwise how long to wait
-- (limit_wait() in sql/logic.sql). Its advisory lock is held until the transaction ends.
SELECT limit_wait(:bucket, :key, :most, :span::interval)

-- name: hit!
-- Count one hit against a limit checked (wait) earlier in this transaction.
SELECT limit_hit(:bucket, :key, :span::interval)
