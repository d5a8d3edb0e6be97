-- Events: anyone can organise one; attendees join by QR or a short code.
CREATE TABLE events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organizer_id bigint NOT NULL REFERENCES accounts ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    venue text NOT NULL DEFAULT '' CHECK (length(venue) <= 200),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    time_zone text NOT NULL,
    -- Six characters without look-alikes (no 0/O, 1/I/L), read aloud as "ABC-234".
    join_code text NOT NULL UNIQUE CHECK (join_code ~ '^[2-9A-HJKMNP-Z]{6}$'),
    closed_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at > starts_at)
);
CREATE INDEX events_organizer ON events (organizer_id);

CREATE TABLE event_attendees (
    event_id bigint NOT NULL REFERENCES events ON DELETE CASCADE,
    account_id bigint NOT NULL REFERENCES accounts ON DELETE CASCADE,
    joined_at timestamptz NOT NULL DEFAULT now(),
    -- Asked at joining; "listed for other attendees" unless they say otherwise.
    listed boolean NOT NULL DEFAULT true,
    left_at timestamptz,
    PRIMARY KEY (event_id, account_id)
);
CREATE INDEX event_attendees_account ON event_attendees (account_id);

-- A block hides me from them and stops their requests, everywhere.
CREATE TABLE blocks (
    blocker_id bigint NOT NULL REFERENCES accounts ON DELETE CASCADE,
    blocked_id bigint NOT NULL REFERENCES accounts ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (blocker_id, blocked_id),
    CHECK (blocker_id <> blocked_id)
);
CREATE INDEX blocks_blocked ON blocks (blocked_id);

-- Where we met: the event the owner was attending when the swap happened.
ALTER TABLE contacts ADD COLUMN event_id bigint REFERENCES events ON DELETE SET NULL;
CREATE INDEX contacts_owner_event ON contacts (owner_id, event_id);

-- The event an account is at right now: one it joined (and has not left) that is on,
-- with two hours' grace either side for early arrivals and the chat at the door.
CREATE FUNCTION current_event(account bigint) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT ea.event_id
    FROM event_attendees ea JOIN events e ON e.id = ea.event_id
    WHERE ea.account_id = account AND ea.left_at IS NULL AND e.closed_at IS NULL
      AND now() BETWEEN e.starts_at - interval '2 hours' AND e.ends_at + interval '2 hours'
    ORDER BY ea.joined_at DESC
    LIMIT 1
$$;

-- Text search over cards. `search` is for the roster as you type ('simple': every
-- word as written, so prefixes match); `offers` and `needs` are stemmed English,
-- for matching what one person can help with to what another is looking for.
ALTER TABLE cards
    ADD COLUMN search tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', name), 'A')
        || setweight(to_tsvector('simple', company), 'B')
        || setweight(to_tsvector('simple', headline), 'B')
        || to_tsvector('simple', looking_for || ' ' || can_help_with)
    ) STORED,
    ADD COLUMN offers tsvector GENERATED ALWAYS AS (to_tsvector('english', can_help_with)) STORED,
    ADD COLUMN needs tsvector GENERATED ALWAYS AS (to_tsvector('english', looking_for)) STORED;
CREATE INDEX cards_search ON cards USING gin (search);
CREATE INDEX cards_offers ON cards USING gin (offers);
CREATE INDEX cards_needs ON cards USING gin (needs);
