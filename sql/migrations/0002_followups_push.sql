-- Where a person's "next morning" is, and when they like to be reminded.
ALTER TABLE accounts
    ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC',
    ADD COLUMN followup_timing text NOT NULL DEFAULT 'next_morning'
        CHECK (followup_timing IN ('this_evening', 'next_morning', 'in_3_days', 'never'));

-- Give and get, per contact: what I promised them and what they asked me for.
ALTER TABLE contacts
    ADD COLUMN promised text NOT NULL DEFAULT '' CHECK (length(promised) <= 500),
    ADD COLUMN they_asked text NOT NULL DEFAULT '' CHECK (length(they_asked) <= 500);

-- When a follow-up falls due: a time of day in the person's own time zone
-- ("next morning" is 09:00 local the day after meeting), correct across DST.
CREATE FUNCTION followup_due(timing text, tz text, met timestamptz) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
    SELECT CASE timing
        WHEN 'this_evening' THEN greatest(
            (date_trunc('day', met AT TIME ZONE tz) + interval '18 hours') AT TIME ZONE tz,
            met + interval '1 hour')
        WHEN 'in_3_days' THEN
            (date_trunc('day', met AT TIME ZONE tz) + interval '3 days 9 hours') AT TIME ZONE tz
        ELSE (date_trunc('day', met AT TIME ZONE tz) + interval '1 day 9 hours') AT TIME ZONE tz
    END
$$;

-- One follow-up per contact row, so each side of a swap has its own.
-- `round` counts the times it became due again (a snooze); each round is
-- notified once per device.
CREATE TABLE followups (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    contact_id bigint NOT NULL UNIQUE REFERENCES contacts ON DELETE CASCADE,
    owner_id bigint NOT NULL REFERENCES accounts ON DELETE CASCADE,
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'off')),
    due_at timestamptz NOT NULL,
    round integer NOT NULL DEFAULT 0,
    snoozed boolean NOT NULL DEFAULT false,
    done_at timestamptz,
    -- Set to the round already queued, so the enqueue scan skips finished work.
    queued_round integer NOT NULL DEFAULT -1,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX followups_owner_due ON followups (owner_id, status, due_at);
CREATE INDEX followups_to_queue ON followups (due_at) WHERE status = 'open';

-- A browser's push subscription. The endpoint is unique: re-subscribing the same
-- browser replaces its keys instead of adding a second device.
CREATE TABLE push_subscriptions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts ON DELETE CASCADE,
    endpoint text NOT NULL UNIQUE CHECK (length(endpoint) <= 1000),
    p256dh text NOT NULL CHECK (length(p256dh) <= 200),
    auth text NOT NULL CHECK (length(auth) <= 100),
    device text NOT NULL DEFAULT '' CHECK (length(device) <= 200),
    created_at timestamptz NOT NULL DEFAULT now(),
    last_sent_at timestamptz
);
CREATE INDEX push_subscriptions_account ON push_subscriptions (account_id);

-- One row per notification to one device: the outbox the workers drain.
-- A worker claims rows with FOR UPDATE SKIP LOCKED and holds a lease; a worker
-- that dies loses its lease and the rows go back to the queue.
CREATE TABLE deliveries (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    followup_id bigint NOT NULL REFERENCES followups ON DELETE CASCADE,
    round integer NOT NULL,
    subscription_id bigint REFERENCES push_subscriptions ON DELETE SET NULL,
    status text NOT NULL DEFAULT 'queued'
        -- skipped: the follow-up was done, snoozed or turned off before it went out.
        CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'gone', 'skipped')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    lease_until timestamptz,
    last_status integer,
    last_error text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz,
    UNIQUE (followup_id, round, subscription_id)
);
CREATE INDEX deliveries_ready ON deliveries (next_attempt_at) WHERE status = 'queued';
CREATE INDEX deliveries_leased ON deliveries (lease_until) WHERE status = 'sending';
CREATE INDEX deliveries_followup ON deliveries (followup_id);

-- The server's VAPID key pair, made on first start when none is configured.
CREATE TABLE vapid_keys (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    private_pem text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
