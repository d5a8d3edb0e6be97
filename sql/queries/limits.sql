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

-- name: take_on_link!
-- take, with each NULL of :keys the link :owner_id's card has now: its share id and generation
-- (a new code starts afresh), read in this statement, as join_by_link() in sql/logic.sql keys
-- it (a swap's path makes no round trip more for it).
SELECT take_limits(
    :buckets,
    array_replace(:keys::text[], NULL,
                  -- No card (deleted this instant): its account, which no link key matches.
                  coalesce((SELECT c.share_id || ' ' || c.share_generation FROM cards c
                            WHERE c.account_id = :owner_id), :owner_id::text)),
    :mosts, :spans::interval[])

-- name: take_last_if_new!
-- take, but when :last_if_new, the last limit only while :account_id is new: made in the last
-- :new_for, with no address confirmed for it (limits.take_with_new_account_rule). Left out, it is counted nowhere;
-- the positions before it stay what take_limits() reports.
SELECT take_limits(b[1:n], k[1:n], m[1:n], s[1:n])
FROM (SELECT :buckets::text[] AS b, :keys::text[] AS k, :mosts::integer[] AS m,
             :spans::interval[] AS s) given
CROSS JOIN LATERAL (
    SELECT cardinality(b) - CASE
        WHEN :last_if_new::boolean AND NOT EXISTS (
            SELECT 1 FROM accounts a
            WHERE a.id = :account_id AND a.created_at > now() - :new_for::interval
              AND NOT EXISTS (SELECT 1 FROM address_confirmations ac
                              WHERE ac.account_id = a.id))
        THEN 1 ELSE 0 END AS n
) kept
