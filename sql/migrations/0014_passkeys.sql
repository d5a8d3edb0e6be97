-- Passkeys (WebAuthn, discoverable credentials): a passkey lives in the phone's keychain, so it
-- signs in in Safari and in the installed app alike.

-- The WebAuthn user handle: random, made when the account adds its first passkey, never the id.
ALTER TABLE accounts ADD COLUMN user_handle bytea UNIQUE;

CREATE TABLE passkeys (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts ON DELETE CASCADE,
    credential_id bytea NOT NULL UNIQUE,
    public_key bytea NOT NULL,
    sign_count bigint NOT NULL DEFAULT 0,
    -- The browser it was added in, in words ("Safari on iPhone"), for the list in Settings.
    name text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz
);
CREATE INDEX passkeys_account ON passkeys (account_id);

-- Challenges handed to browsers, each good once and for five minutes, kept in PostgreSQL so
-- that any web process can check the answer.
CREATE TABLE webauthn_challenges (
    challenge bytea PRIMARY KEY,
    purpose text NOT NULL CHECK (purpose IN ('register', 'authenticate')),
    account_id bigint REFERENCES accounts ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    CHECK ((purpose = 'register') = (account_id IS NOT NULL))
);
