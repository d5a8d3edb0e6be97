-- name: create_with_card
-- The first card someone saves: their account (with time zone $12), card and session
-- in one statement. $1 is the session token's hash, $2..$11 the card fields.
WITH account AS (
    INSERT INTO accounts (time_zone) VALUES ($12) RETURNING id
), card AS (
    INSERT INTO cards (account_id, name, headline, company, email, phone, linkedin, website,
                       other_link, looking_for, can_help_with)
    SELECT id, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 FROM account
), session AS (
    INSERT INTO sessions (token_hash, account_id) SELECT $1, id FROM account
)
SELECT id FROM account

-- name: join_with_details
-- Someone with no account leaves their details on a sharer's card ($12 is the sharer,
-- $13 the newcomer's time zone): their account, card and session, the connection both
-- ways and a follow-up for each side, in one statement. $1 is NULL for a guest who typed
-- their details on the sharer's phone: no session, since the phone is not theirs.
-- Returns the newcomer's contact row, then the sharer's.
WITH account AS (
    INSERT INTO accounts (time_zone) VALUES ($13) RETURNING id, time_zone, followup_timing
), card AS (
    INSERT INTO cards (account_id, name, headline, company, email, phone, linkedin, website,
                       other_link, looking_for, can_help_with)
    SELECT id, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 FROM account
), session AS (
    INSERT INTO sessions (token_hash, account_id) SELECT $1::bytea, id FROM account WHERE $1 IS NOT NULL
), connection AS (
    INSERT INTO contacts (owner_id, contact_id, event_id)
    SELECT id, $12, NULL::bigint FROM account
    UNION ALL
    SELECT $12, id, current_event($12) FROM account
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
        SELECT id, time_zone, followup_timing FROM accounts WHERE id = $12
    ) prefs ON prefs.id = c.owner_id
)
SELECT (SELECT c.id FROM connection c JOIN account a ON c.owner_id = a.id) AS newcomer_contact,
       (SELECT c.id FROM connection c WHERE c.owner_id = $12) AS sharer_contact

-- name: preferences
-- Time zone and follow-up timing, as the settings page shows them.
SELECT time_zone, followup_timing FROM accounts WHERE id = $1

-- name: set_preferences
-- Save time zone and follow-up timing.
UPDATE accounts SET time_zone = $2, followup_timing = $3 WHERE id = $1
