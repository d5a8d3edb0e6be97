-- Guessing (issue 14): a live six-digit code dies after a few wrong guesses next to it.
-- `near_misses` counts failed guesses, by anyone, one digit away from this code while it lived:
-- someone who saw five of its six digits over a shoulder tries the sixth.
ALTER TABLE swap_codes ADD COLUMN near_misses integer NOT NULL DEFAULT 0;
-- Codes drawn per account in the last hour, for the limit on "New code".
CREATE INDEX swap_codes_drawn ON swap_codes (account_id, created_at);
