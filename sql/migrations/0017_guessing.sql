-- Guessing (issue 14): a live six-digit code dies after a few wrong guesses next to it.
-- `near_misses` counts failed guesses, by anyone, one digit away from this code while it lived:
-- someone who saw five of its six digits over a shoulder tries the sixth.
ALTER TABLE swap_codes ADD COLUMN near_misses integer NOT NULL DEFAULT 0;
-- Codes drawn per account in the last hour, for the limit on "New code".
CREATE INDEX swap_codes_drawn ON swap_codes (account_id, created_at);

-- A card's opaque id for share links, instead of the account's sequential id (which told
-- anyone who scanned how many accounts there are, and which came after whose). 60 random
-- bits; drawn for each existing card too (a volatile default is computed per row).
ALTER TABLE cards
    ADD COLUMN share_id bigint NOT NULL
    DEFAULT ('x' || substr(md5(gen_random_uuid()::text), 1, 15))::bit(60)::bigint;
CREATE UNIQUE INDEX cards_share_id ON cards (share_id);

-- "Ask for their details first": the card owner's row for someone who left details on it
-- starts 'pending' (they see name, headline and photo) until the owner accepts ('all').
ALTER TABLE contacts DROP CONSTRAINT contacts_sharing_check;
ALTER TABLE contacts ADD CONSTRAINT contacts_sharing_check
    CHECK (sharing IN ('all', 'basics', 'pending'));
CREATE INDEX contacts_pending ON contacts (owner_id) WHERE sharing = 'pending';

-- Join codes looked up and not found, for the limit per account and per network address.
CREATE TABLE join_misses (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id bigint REFERENCES accounts (id) ON DELETE CASCADE,
    ip inet,
    at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX join_misses_account ON join_misses (account_id, at);
CREATE INDEX join_misses_ip ON join_misses (ip, at);
CREATE INDEX join_misses_at ON join_misses (at);

-- An attendee the organizer removed: off the roster, and the join code no longer lets them in.
ALTER TABLE event_attendees ADD COLUMN removed_at timestamptz;
