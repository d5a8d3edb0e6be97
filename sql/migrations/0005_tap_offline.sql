-- Tap to swap: numeric codes, bumps, and the replay log of swaps queued offline.

-- The event someone was at at a given moment (a swap made offline is synced later).
CREATE FUNCTION current_event(account bigint, at timestamptz) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT ea.event_id
    FROM event_attendees ea JOIN events e ON e.id = ea.event_id
    WHERE ea.account_id = account AND ea.left_at IS NULL AND e.closed_at IS NULL
      AND at BETWEEN e.starts_at - interval '2 hours' AND e.ends_at + interval '2 hours'
    ORDER BY ea.joined_at DESC
    LIMIT 1
$$;

-- A short code shown on the Tap screen, typed by the other person. The primary key
-- keeps codes unique; an expired row is overwritten when its code is drawn again.
CREATE TABLE swap_codes (
    code text PRIMARY KEY CHECK (code ~ '^[0-9]{6}$'),
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    used_by bigint REFERENCES accounts (id) ON DELETE SET NULL
);
CREATE INDEX swap_codes_account ON swap_codes (account_id, expires_at DESC);

-- Wrong codes typed, for the guessing limit per person and per network address.
CREATE TABLE code_misses (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    ip inet,
    at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX code_misses_account ON code_misses (account_id, at);
CREATE INDEX code_misses_ip ON code_misses (ip, at);

-- One bump of a phone. `scope` is the event the bumper is at ('' outside events):
-- only bumps of the same scope and moment can pair. `bumped_at` is in server time.
CREATE TABLE bumps (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    scope text NOT NULL,
    bumped_at timestamptz NOT NULL,
    force real,
    created_at timestamptz NOT NULL DEFAULT now(),
    state text NOT NULL DEFAULT 'waiting'
        CHECK (state IN ('waiting', 'paired', 'confirmed', 'swapped', 'declined', 'ambiguous', 'unmatched')),
    partner_id bigint REFERENCES bumps (id) ON DELETE SET NULL
);
CREATE INDEX bumps_scope_time ON bumps (scope, bumped_at);

-- Swaps queued on a phone while offline, by the key the phone gave each one, so a
-- replay answers what the first delivery answered and never connects twice.
CREATE TABLE synced_actions (
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    key uuid NOT NULL,
    payload_hash bytea NOT NULL,
    status_code smallint,
    answer jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, key)
);
