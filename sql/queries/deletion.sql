-- Deleting my account: what the page says goes, and the deleting (delete_account() in
-- logic.sql), once it is proven to be me (proving.sql). Retention deletes unclaimed guests
-- the same way.

-- name: what_goes^
-- What the page lists: my contacts, of them the cards I typed for people without the app
-- (guests: they go with me, delete_account() and forget_lone_guests()), and the events I
-- organise that stay for the others there (delete_account() keeps an event someone else
-- joined or met at).
SELECT (SELECT count(*) FROM contacts WHERE owner_id = :account_id) AS contacts,
       (SELECT count(*) FROM contacts c JOIN accounts a ON a.id = c.contact_id
        WHERE c.owner_id = :account_id AND a.guest) AS guests,
       (SELECT count(*) FROM events e
        WHERE e.organizer_id = :account_id
          AND (EXISTS (SELECT 1 FROM event_attendees ea
                       WHERE ea.event_id = e.id AND ea.account_id <> :account_id)
               OR EXISTS (SELECT 1 FROM contacts c
                          WHERE c.event_id = e.id AND c.owner_id <> :account_id
                            AND c.contact_id <> :account_id))) AS events_kept

-- name: delete$
-- Delete :account_id and everything keyed to it; whether it existed. delete_account() holds
-- first what an email's button pressed for it, or a merge of it, holds before the account, in
-- their order: either is waited for, and neither waits for the deleting in a circle.
SELECT delete_account(:account_id)
