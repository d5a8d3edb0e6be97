-- Deleting my account: the ways to confirm it is me, what the page says goes, and the deleting
-- (delete_account() in logic.sql). Retention deletes unclaimed guests the same way.

-- name: ways^
-- How :account_id can confirm it is them in this session (:session_id): the confirmed address
-- a code can go to (NULL when there is none, or it bounces), how many passkeys it has, and
-- whether this session signed in afresh in the last :fresh.
SELECT (SELECT ea.address FROM cards c
        JOIN email_addresses ea ON ea.address = lower(c.email)
        JOIN address_confirmations x ON x.address = ea.address AND x.account_id = c.account_id
        WHERE c.account_id = s.account_id
          AND ea.bounced_at IS NULL) AS address,
       (SELECT count(*) FROM passkeys p WHERE p.account_id = s.account_id) AS passkeys,
       coalesce(s.fresh_sign_in_at > now() - :fresh::interval, false) AS fresh
FROM sessions s
WHERE s.id = :session_id AND s.account_id = :account_id

-- name: signed_in_afresh!
-- This session's owner just proved it is them (an email code, a passkey).
UPDATE sessions SET fresh_sign_in_at = now() WHERE id = :session_id AND account_id = :account_id

-- name: what_goes^
-- What the page lists: my contacts, and the events I organise that stay for the others
-- there (delete_account() keeps an event someone else joined or met at).
SELECT (SELECT count(*) FROM contacts WHERE owner_id = :account_id) AS contacts,
       (SELECT count(*) FROM events e
        WHERE e.organizer_id = :account_id
          AND (EXISTS (SELECT 1 FROM event_attendees ea
                       WHERE ea.event_id = e.id AND ea.account_id <> :account_id)
               OR EXISTS (SELECT 1 FROM contacts c
                          WHERE c.event_id = e.id AND c.owner_id <> :account_id
                            AND c.contact_id <> :account_id))) AS events_kept

-- name: delete$
-- Delete :account_id and everything keyed to it; whether it existed.
SELECT delete_account(:account_id)
