-- name: create_with_card$
-- The first card someone saves: their account (with :time_zone), card and session
-- in one statement; returns the account's id. :token_hash is the session token's hash.
WITH account AS (
    INSERT INTO accounts (time_zone) VALUES (:time_zone) RETURNING id
), card AS (
    INSERT INTO cards (account_id, name, headline, company, email, phone, linkedin, website,
                       other_link, looking_for, can_help_with)
    SELECT id, :name, :headline, :company, :email, :phone, :linkedin, :website,
           :other_link, :looking_for, :can_help_with FROM account
), session AS (
    INSERT INTO sessions (token_hash, account_id) SELECT :token_hash, id FROM account
)
SELECT id FROM account

-- name: join_with_details^
-- Someone with no account leaves their details on a sharer's card (:sharer_id, and
-- :time_zone the newcomer's): their account, card and session, the connection both ways and
-- a follow-up for each side (join_with_details() in sql/logic.sql). :token_hash is NULL for a
-- guest typed in on the sharer's phone. Returns the newcomer's account and contact row, then
-- the sharer's contact row.
SELECT newcomer_id, newcomer_contact, sharer_contact
FROM join_with_details(:token_hash, :sharer_id, :time_zone, :name, :headline, :company,
                       :email, :phone, :linkedin, :website, :other_link, :looking_for,
                       :can_help_with)

-- name: join_by_link^
-- A swap by someone with no app, in one statement (join_by_link() in sql/logic.sql): the card
-- the link names (:share_id, or :account_id for an old link) at :generation, the limits on new
-- accounts (:keys NULL: the card's owner), their account, card, session and the connection,
-- and "You met" to :address (empty: none). The newcomer's account and contact row; no row
-- when the link names no such card at that generation; NULLs when :address is on the card of
-- someone blocked with the card's owner (nothing made). :attempt_hash (NULL: none) names the
-- try: sent again, it gets what the first made.
SELECT newcomer_id, newcomer_contact
FROM join_by_link(:share_id, :account_id, :generation, :buckets, :keys, :mosts,
                  :spans::interval[], :token_hash, :time_zone, :name, :headline, :company,
                  :email, :phone, :linkedin, :website, :other_link, :looking_for,
                  :can_help_with, :address, :attempt_hash)

-- name: preferences^
-- Time zone and follow-up timing, as the settings page shows them.
SELECT time_zone, followup_timing, coalesce(reminders_by, '') AS reminders_by
FROM accounts WHERE id = :account_id

-- name: set_preferences!
-- Save time zone, follow-up timing and how reminders come (:reminders_by NULL: automatic).
-- A new time zone moves the reminders still to come with it, at the same time of day:
-- "Next morning (09:00)" means 09:00 where I am now (the day and hour they were made for,
-- whatever the timing is now). Only first reminders not snoozed (a snooze chose its own time)
-- and not yet due, and only to a time still ahead: a move never fires a reminder at once.
-- The statement's CTEs share one snapshot: `before` reads the zone before `saved` sets it.
-- FOR UPDATE: a save from another browser committed while this one waited for the row is
-- read as it left the zone (and the reminders it moved), not as the snapshot had it.
WITH before AS (
    SELECT time_zone FROM accounts WHERE id = :account_id FOR UPDATE
), saved AS (
    UPDATE accounts
    SET time_zone = :time_zone, followup_timing = :followup_timing, reminders_by = :reminders_by
    WHERE id = :account_id
    RETURNING time_zone
)
UPDATE followups f
SET due_at = (f.due_at AT TIME ZONE before.time_zone) AT TIME ZONE saved.time_zone,
    updated_at = now()
FROM before, saved
WHERE before.time_zone <> saved.time_zone
  AND f.owner_id = :account_id AND f.status = 'open' AND f.round = 0 AND NOT f.snoozed
  AND f.due_at > now()
  AND (f.due_at AT TIME ZONE before.time_zone) AT TIME ZONE saved.time_zone > now()

-- name: delete_if_empty$
-- An account left behind when its browser signed in to another: gone when it is only a card
-- made here by mistake, as any account is deleted (delete_account() in logic.sql). One with
-- contacts, another browser signed in to it, a passkey, an address proven or an event it
-- organises is someone's account in use, and stays, to be merged or kept apart (deleting it
-- needs a fresh sign-in: Settings, Delete my account). Returns whether it went.
SELECT coalesce((
    SELECT delete_account(a.id) FROM accounts a
    WHERE a.id = :account_id
      AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.owner_id = a.id OR c.contact_id = a.id)
      AND NOT EXISTS (SELECT 1 FROM sessions s
                      WHERE s.account_id = a.id AND s.revoked_at IS NULL
                        AND s.last_seen_at > now() - interval '400 days')
      AND NOT EXISTS (SELECT 1 FROM passkeys p WHERE p.account_id = a.id)
      AND NOT EXISTS (SELECT 1 FROM address_confirmations x WHERE x.account_id = a.id)
      AND NOT EXISTS (SELECT 1 FROM events e WHERE e.organizer_id = a.id)
), false)
