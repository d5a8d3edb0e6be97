-- name: account_for^
-- The account a live session belongs to, if any, with the time zone its pages use and
-- the number of follow-ups due now (the badge in the navigation).
SELECT s.account_id, a.time_zone,
       (SELECT count(*) FROM followups f
        WHERE f.owner_id = s.account_id AND f.status = 'open' AND f.due_at <= now())
       + (SELECT count(*) FROM connect_requests r
          WHERE r.to_id = s.account_id AND r.status = 'pending') AS due_count
FROM sessions s JOIN accounts a ON a.id = s.account_id
WHERE s.token_hash = :token_hash AND s.revoked_at IS NULL
