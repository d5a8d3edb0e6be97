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

-- name: hold_followups!
-- Deleting :account_id (server/privacy/deletion.py), step 1 of 4, all in one transaction: what
-- the deleting would reach only through the account's cascade, held first, in the order an
-- email's button pressed for it (mail.hold_met_followup, hold_session, hold_account), a merge
-- of it (lock_merge() in logic.sql) and a worker queueing its reminders take them: its
-- follow-ups, its reminders lock (deliveries.lock_owners), its sessions, then the account.
-- Left to delete_account(), which takes the account first, a press holding a follow-up or its
-- browser's session would wait for the account while the deleting waited for what the press
-- holds, in a circle: one of the two failed, the deleting with a 503. Here, its follow-ups in
-- id order, FOR UPDATE as the deleting takes them (a lesser lock now would wait again later
-- for the KEY SHARE of a worker's insert keyed to one).
SELECT 1 FROM followups WHERE owner_id = :account_id ORDER BY id FOR UPDATE

-- name: hold_sessions!
-- Step 3 (after its reminders lock): its sessions, signed out ones too, in id order, as a
-- merge and a sign-out of several take them; FOR UPDATE, as the deleting does.
SELECT 1 FROM sessions WHERE account_id = :account_id ORDER BY id FOR UPDATE

-- name: hold_account!
-- Step 4: the account, as the deleting takes it, before anything delete_account() writes
-- (an address it confirmed, its events): a press holds the account before the address it
-- confirms.
SELECT 1 FROM accounts WHERE id = :account_id FOR UPDATE

-- name: delete$
-- Delete :account_id and everything keyed to it; whether it existed. After the holds above.
SELECT delete_account(:account_id)
