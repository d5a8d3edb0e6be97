-- current_event(account) and current_event(account, at) had the same body. Keep the
-- two-argument one: sql/logic.sql, applied right after the migrations under the same
-- lock, gives its `at` a default of now(), so current_event(account) still works.
DROP FUNCTION current_event(bigint);
