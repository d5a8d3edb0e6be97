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
-- :time_zone the newcomer's): their account, card and session, the connection both
-- ways and a follow-up for each side, in one statement. :token_hash is NULL for a guest
-- who typed their details on the sharer's phone: no session, since the phone is not theirs
-- (a guest until its owner signs in to it; deleted after a year if they never do).
-- Returns the newcomer's account and contact row, then the sharer's contact row.
WITH account AS (
    INSERT INTO accounts (time_zone, guest) VALUES (:time_zone, :token_hash::bytea IS NULL)
    RETURNING id, time_zone, followup_timing
), card AS (
    INSERT INTO cards (account_id, name, headline, company, email, phone, linkedin, website,
                       other_link, looking_for, can_help_with)
    SELECT id, :name, :headline, :company, :email, :phone, :linkedin, :website,
           :other_link, :looking_for, :can_help_with FROM account
), session AS (
    INSERT INTO sessions (token_hash, account_id) SELECT :token_hash::bytea, id FROM account WHERE :token_hash IS NOT NULL
), connection AS (
    INSERT INTO contacts (owner_id, contact_id, event_id, sharing)
    SELECT id, :sharer_id, NULL::bigint, 'all' FROM account
    UNION ALL
    -- A card that asks for details first shares itself once its owner accepts; a guest
    -- typed in on the sharer's own phone needs no accepting.
    SELECT :sharer_id, id, current_event(:sharer_id),
           CASE WHEN :token_hash::bytea IS NOT NULL
                     AND (SELECT ask_details_first FROM cards WHERE account_id = :sharer_id)
                THEN 'pending' ELSE 'all' END
    FROM account
    RETURNING id, owner_id, met_at
), followup AS (
    INSERT INTO followups (contact_id, owner_id, status, due_at)
    SELECT c.id, c.owner_id,
           CASE WHEN prefs.followup_timing = 'never' THEN 'off' ELSE 'open' END,
           followup_due(prefs.followup_timing, prefs.time_zone, c.met_at)
    FROM connection c
    JOIN (
        SELECT id, time_zone, followup_timing FROM account
        UNION ALL
        SELECT id, time_zone, followup_timing FROM accounts WHERE id = :sharer_id
    ) prefs ON prefs.id = c.owner_id
)
SELECT (SELECT id FROM account) AS newcomer_id,
       (SELECT c.id FROM connection c JOIN account a ON c.owner_id = a.id) AS newcomer_contact,
       (SELECT c.id FROM connection c WHERE c.owner_id = :sharer_id) AS sharer_contact

-- name: preferences^
-- Time zone and follow-up timing, as the settings page shows them.
SELECT time_zone, followup_timing, coalesce(reminders_by, '') AS reminders_by
FROM accounts WHERE id = :account_id

-- name: set_preferences!
-- Save time zone, follow-up timing and how reminders come (:reminders_by NULL: automatic).
UPDATE accounts
SET time_zone = :time_zone, followup_timing = :followup_timing, reminders_by = :reminders_by
WHERE id = :account_id

-- name: delete_if_empty$
-- An account with no contacts, left behind when its browser signed in to another: gone, as
-- any account is deleted (delete_account() in logic.sql: an event it organised, its address).
-- Returns whether it went (one with contacts stays, to be merged or kept apart).
SELECT coalesce((
    SELECT delete_account(a.id) FROM accounts a
    WHERE a.id = :account_id
      AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.owner_id = a.id OR c.contact_id = a.id)
), false)
