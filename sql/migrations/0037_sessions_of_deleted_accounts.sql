-- Browsers still signed in to an account when it was deleted from another browser: only the
-- hash of each one's cookie, so that its next page says the account was deleted (not "You
-- were signed out") and the browser forgets its copies. Nothing says whose account it was.
-- Kept until such a cookie would have ended anyway (400 days, Chrome's cap): retention.
CREATE TABLE sessions_of_deleted_accounts (
    token_hash bytea PRIMARY KEY,
    forget_at timestamptz NOT NULL DEFAULT now() + interval '400 days'
);

CREATE INDEX sessions_of_deleted_accounts_forget_at ON sessions_of_deleted_accounts (forget_at);
