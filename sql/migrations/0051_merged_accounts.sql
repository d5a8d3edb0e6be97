-- Accounts merged into another (merge_accounts() in logic.sql), kept while the account they
-- went into lives. A phone keeps the swaps it queued offline under the account signed in at
-- the time (web/static/outbox.js), and the merge ends that account: without this record they
-- would wait for it forever, hidden, and Sign out would delete them unannounced. With it, the
-- account kept takes them as its own (/sync/actions: sync.made_by, sync.merged_into). A
-- source merged into an account later merged on is pointed at the last one (merge_accounts).
CREATE TABLE merged_accounts (
    source bigint PRIMARY KEY,
    target bigint NOT NULL REFERENCES accounts ON DELETE CASCADE,
    merged_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX merged_accounts_target ON merged_accounts (target);
