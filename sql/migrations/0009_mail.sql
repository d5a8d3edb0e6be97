-- Email as a channel: the addresses we write to, what their owners said, and the outbox.

-- One row per address, whoever's card carries it. Confirmed: its owner pressed a button in
-- an email we sent, so the address is theirs and may get reminders. Until then it gets at
-- most one unasked-for email a day (last_first_mail_at), whoever triggers it.
CREATE TABLE email_addresses (
    address text PRIMARY KEY CHECK (address = lower(address) AND address LIKE '%_@_%'),
    confirmed_at timestamptz,
    unsubscribed_at timestamptz,
    -- A permanent refusal (5xx) from the mail server: nothing more is sent until confirmed again.
    bounced_at timestamptz,
    bounce_reason text NOT NULL DEFAULT '',
    last_first_mail_at timestamptz
);

-- How reminders reach a person; NULL: email for a confirmed address when they have no push
-- device, push otherwise.
ALTER TABLE accounts
    ADD COLUMN reminders_by text CHECK (reminders_by IN ('push', 'email', 'both', 'neither'));

-- The mail outbox, with the same guarantees as deliveries: claimed with SKIP LOCKED and a
-- renewed lease in the worker's name, retried with backoff, failed after a bounded number of
-- attempts with the reason kept. Requests only write rows (and NOTIFY for mail someone waits
-- for); the message is composed by the worker from the current data when it is sent.
CREATE TABLE emails (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- met: "You met Beth" to someone who left their details; reminder: a due follow-up;
    -- digest: after an event; confirm: "confirm your address", asked for in Settings.
    kind text NOT NULL CHECK (kind IN ('met', 'reminder', 'digest', 'confirm')),
    account_id bigint NOT NULL REFERENCES accounts ON DELETE CASCADE,
    to_address text NOT NULL REFERENCES email_addresses ON DELETE CASCADE,
    about_id bigint REFERENCES accounts ON DELETE CASCADE,
    followup_id bigint REFERENCES followups ON DELETE CASCADE,
    round integer,
    digest_event_id bigint REFERENCES events ON DELETE CASCADE,
    -- Someone is waiting for it (a confirmation, a code): claimed before the rest.
    waited_for boolean NOT NULL DEFAULT false,
    status text NOT NULL DEFAULT 'queued'
        -- skipped: no longer worth sending (done, unsubscribed, bounced) when its turn came.
        CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'skipped')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    lease_until timestamptz,
    leased_by text,
    last_status integer,
    last_error text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz,
    CHECK (kind <> 'met' OR about_id IS NOT NULL),
    CHECK (kind <> 'reminder' OR (followup_id IS NOT NULL AND round IS NOT NULL)),
    CHECK (kind <> 'digest' OR digest_event_id IS NOT NULL)
);
CREATE UNIQUE INDEX emails_reminder_once ON emails (followup_id, round) WHERE kind = 'reminder';
CREATE UNIQUE INDEX emails_digest_once ON emails (digest_event_id, account_id) WHERE kind = 'digest';
CREATE INDEX emails_ready ON emails (waited_for DESC, next_attempt_at) WHERE status = 'queued';
CREATE INDEX emails_leased ON emails (lease_until) WHERE status = 'sending';
CREATE INDEX emails_account ON emails (account_id);
