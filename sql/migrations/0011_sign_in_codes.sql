-- "I already have a card": a one-time code by email (8 digits, 10 minutes, one use, 5 tries).
-- A row is kept for every code asked for, also for an address no card has (account_id NULL,
-- nothing sent), so limits and answers are the same whether or not the address has a card.
CREATE TABLE sign_in_codes (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    address text NOT NULL,
    account_id bigint REFERENCES accounts ON DELETE CASCADE,
    code_hash bytea NOT NULL,
    tries_left integer NOT NULL DEFAULT 5 CHECK (tries_left >= 0),
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    ip text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_codes_address ON sign_in_codes (address, created_at);
CREATE INDEX sign_in_codes_ip ON sign_in_codes (ip, created_at);

-- The code travels in its email; kept only until the mail server has it.
ALTER TABLE emails
    ADD COLUMN code text,
    DROP CONSTRAINT emails_kind_check,
    ADD CONSTRAINT emails_kind_check
        CHECK (kind IN ('met', 'reminder', 'digest', 'confirm', 'code'));
