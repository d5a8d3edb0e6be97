-- A browser that held another account signs in: the new session remembers that account, and
-- only this session may merge it in (sessions of that account were this browser's).
ALTER TABLE sessions
    ADD COLUMN merge_from bigint REFERENCES accounts ON DELETE SET NULL;
