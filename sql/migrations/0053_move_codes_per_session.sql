-- A move code belongs to the session that showed it: signed out there (Sign out, or from
-- Settings, one browser or every other one), or ended in any other way, its code signs
-- nobody in (signin.use_move_code), and the page that showed it says it is gone
-- (signin.move_code_state). Otherwise a code shown on a borrowed laptop or a lost phone kept
-- signing anyone in to the account for its five minutes after that browser was signed out.
-- NULL for codes shown before this migration: they work in no browser (five minutes later
-- they are dead anyway). A session's rows go with it.
ALTER TABLE move_codes ADD COLUMN session_id bigint REFERENCES sessions (id) ON DELETE CASCADE;
CREATE INDEX move_codes_session ON move_codes (session_id);
