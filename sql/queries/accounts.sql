-- name: create_with_card
-- The first card someone saves: their account, card and session in one statement.
-- $1 is the session token's hash, $2..$11 the card fields; returns the account id.
WITH account AS (
    INSERT INTO accounts DEFAULT VALUES RETURNING id
), card AS (
    INSERT INTO cards (account_id, name, headline, company, email, phone, linkedin, website,
                       other_link, looking_for, can_help_with)
    SELECT id, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 FROM account
), session AS (
    INSERT INTO sessions (token_hash, account_id) SELECT $1, id FROM account
)
SELECT id FROM account

-- name: join_with_details
-- Someone with no account leaves their details on a sharer's card ($12 is the sharer):
-- their account, card and session, and the connection both ways, in one statement.
-- Returns the new person's contact row for the sharer.
WITH account AS (
    INSERT INTO accounts DEFAULT VALUES RETURNING id
), card AS (
    INSERT INTO cards (account_id, name, headline, company, email, phone, linkedin, website,
                       other_link, looking_for, can_help_with)
    SELECT id, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 FROM account
), session AS (
    INSERT INTO sessions (token_hash, account_id) SELECT $1, id FROM account
), connection AS (
    INSERT INTO contacts (owner_id, contact_id)
    SELECT id, $12 FROM account
    UNION ALL
    SELECT $12, id FROM account
    RETURNING id, owner_id
)
SELECT connection.id FROM connection JOIN account ON connection.owner_id = account.id
