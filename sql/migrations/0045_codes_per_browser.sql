-- A sign-in code belongs to the browser that asked for it: the hash of a random value kept in
-- a short-lived cookie of that browser (server/signin/codes.py). A wrong guess then costs a
-- try only of the codes that browser asked for, not of those in the owner's inbox. NULL for
-- the codes to delete an account (asked and typed by its own session) and for codes asked
-- before this migration (they work in no browser: ten minutes later they are dead anyway).
ALTER TABLE sign_in_codes ADD COLUMN asker_hash bytea;

-- The address an email code proved when this session signed in: only guest cards carrying it
-- are offered for merging, one after the other, not those carrying whatever the card says now.
ALTER TABLE sessions ADD COLUMN proven_address text;
