-- Sessions a person can see and end: which browser, how it signed in, from where, when last
-- seen. The id names one in Settings without showing its token hash.
ALTER TABLE sessions
    ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    ADD COLUMN user_agent text NOT NULL DEFAULT '',
    ADD COLUMN ip text NOT NULL DEFAULT '',
    -- card: the browser that made the account (a card, details left, an event joined).
    ADD COLUMN signed_in_by text NOT NULL DEFAULT 'card'
        CHECK (signed_in_by IN ('card', 'email_code', 'passkey', 'move')),
    ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now();

-- A device's push subscription belongs to the session that made it: signing that browser out
-- stops its reminders.
ALTER TABLE push_subscriptions
    ADD COLUMN session_id bigint REFERENCES sessions (id) ON DELETE SET NULL;
