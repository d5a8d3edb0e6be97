-- "Move to another app or phone": a short code a signed-in browser shows (5 minutes, once),
-- typed (or scanned) in another browser or the installed app to sign that one in.
CREATE TABLE move_codes (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts ON DELETE CASCADE,
    -- An HMAC of the code under SECRET_KEY: the table alone signs nobody in.
    code_hash bytea NOT NULL UNIQUE,
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX move_codes_account ON move_codes (account_id);

-- Wrong move codes typed, by IP: five in ten minutes and that IP must wait.
CREATE TABLE move_misses (
    ip text NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX move_misses_ip ON move_misses (ip, at);
