-- Accounts exist from the first thing a person saves; there is no sign-up.
CREATE TABLE accounts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Sessions are stored hashed, so a leaked table cannot be replayed as cookies.
CREATE TABLE sessions (
    token_hash bytea PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);
CREATE INDEX sessions_account ON sessions (account_id);

-- Photos are small JPEGs, already resized and stripped of metadata; the key is
-- random so a photo URL cannot be guessed from an account id.
CREATE TABLE photos (
    key text PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts ON DELETE CASCADE,
    jpeg bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX photos_account ON photos (account_id);

-- One card per account. Empty string means "not given".
CREATE TABLE cards (
    account_id bigint PRIMARY KEY REFERENCES accounts ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    headline text NOT NULL DEFAULT '' CHECK (length(headline) <= 120),
    company text NOT NULL DEFAULT '' CHECK (length(company) <= 100),
    email text NOT NULL DEFAULT '' CHECK (length(email) <= 254),
    phone text NOT NULL DEFAULT '' CHECK (length(phone) <= 32),
    linkedin text NOT NULL DEFAULT '' CHECK (length(linkedin) <= 500),
    website text NOT NULL DEFAULT '' CHECK (length(website) <= 500),
    other_link text NOT NULL DEFAULT '' CHECK (length(other_link) <= 500),
    looking_for text NOT NULL DEFAULT '' CHECK (length(looking_for) <= 500),
    can_help_with text NOT NULL DEFAULT '' CHECK (length(can_help_with) <= 500),
    photo_key text REFERENCES photos ON DELETE SET NULL,
    -- "Ask for their details first": visitors see only name, headline and photo.
    ask_details_first boolean NOT NULL DEFAULT false,
    -- Bumped by "reset my code": every share token carries the generation it was made for.
    share_generation integer NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- A swap writes one row for each side; the unique pair makes a repeated or
-- concurrent swap a no-op instead of a second connection.
CREATE TABLE contacts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id bigint NOT NULL REFERENCES accounts ON DELETE CASCADE,
    contact_id bigint NOT NULL REFERENCES accounts ON DELETE CASCADE,
    met_at timestamptz NOT NULL DEFAULT now(),
    note text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    note_updated_at timestamptz,
    UNIQUE (owner_id, contact_id),
    CHECK (owner_id <> contact_id)
);
CREATE INDEX contacts_owner_recent ON contacts (owner_id, met_at DESC, id DESC);
