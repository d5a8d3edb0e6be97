-- Leave without a trace: deleting an account, guests who never claimed their card, and what
-- an event keeps of the people who left.

-- A guest: an account made when someone typed a person's details on their own phone. It has
-- never had a session; the first sign-in claims it. Unclaimed guests are deleted after a year.
ALTER TABLE accounts ADD COLUMN guest boolean NOT NULL DEFAULT false;
UPDATE accounts a SET guest = true
WHERE NOT EXISTS (SELECT 1 FROM sessions s WHERE s.account_id = a.id);
CREATE INDEX accounts_guests ON accounts (created_at) WHERE guest;

-- An event stays when its organizer deletes their account, if other people were there: it is
-- where they met ("Met at Lunch & Learn"). It then has no organizer.
ALTER TABLE events
    ALTER COLUMN organizer_id DROP NOT NULL,
    DROP CONSTRAINT events_organizer_id_fkey,
    ADD CONSTRAINT events_organizer_id_fkey
        FOREIGN KEY (organizer_id) REFERENCES accounts ON DELETE SET NULL,
    -- The organizer's counts are numbers: what deleted accounts added to them is kept here.
    ADD COLUMN departed_attendees integer NOT NULL DEFAULT 0,
    ADD COLUMN departed_swaps integer NOT NULL DEFAULT 0,
    ADD COLUMN departed_followups_done integer NOT NULL DEFAULT 0;

-- Deleting an account asks for a fresh sign-in: a code by email or a passkey, in this very
-- session, a few minutes before the final button.
ALTER TABLE sessions ADD COLUMN fresh_sign_in_at timestamptz;

-- An emailed code signs in, or confirms that the person deleting an account is its owner.
ALTER TABLE sign_in_codes
    ADD COLUMN purpose text NOT NULL DEFAULT 'sign_in' CHECK (purpose IN ('sign_in', 'delete'));
ALTER TABLE emails
    DROP CONSTRAINT emails_kind_check,
    ADD CONSTRAINT emails_kind_check
        CHECK (kind IN ('met', 'reminder', 'digest', 'confirm', 'code', 'delete_code'));

-- Cards by address: signing in, a deleted account's address, guests with the same address.
CREATE INDEX cards_email ON cards (lower(email)) WHERE email <> '';

-- What retention scans by age.
CREATE INDEX deliveries_created ON deliveries (created_at);
CREATE INDEX emails_created ON emails (created_at);
-- Also what deleting an address (and its cascade to the outbox) looks up.
CREATE INDEX emails_to_address ON emails (to_address);
CREATE INDEX bumps_created ON bumps (created_at);
CREATE INDEX synced_actions_created ON synced_actions (created_at);
CREATE INDEX code_misses_at ON code_misses (at);
CREATE INDEX move_misses_at ON move_misses (at);
CREATE INDEX sign_in_codes_created ON sign_in_codes (created_at);
CREATE INDEX connect_requests_decided ON connect_requests (decided_at) WHERE status <> 'pending';
