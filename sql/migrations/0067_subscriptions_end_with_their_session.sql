-- A push subscription goes with the session that made it. Migration 0010 kept it, session_id
-- set to NULL, when retention deleted its session (ended_sessions: a browser unused for 400
-- days; one signed out lost its subscription then), and subscriptions made before 0010 have
-- none either. Such a row could never be signed out (sessions.revoke, revoke_others and
-- push.on_session find a browser's subscription by its session), was in no list of Settings'
-- browsers, and went on getting reminders, with their notes on the lock screen and Done /
-- Snooze buttons that still acted (push.still_subscribed), on a browser whose cookie had ended.
--
-- ALTER first, then DELETE: the table's lock is taken before any of its rows (a DELETE first
-- would wait, holding those rows, for the lock on the table). Dropping the old key locks
-- sessions too (ACCESS EXCLUSIVE: every request reads it), so nothing is scanned while it is
-- held: NOT VALID, as no row breaks the key (the old one held every session_id to a session,
-- and nobody writes either table between the DROP and the ADD). New rows are checked and
-- ON DELETE CASCADE acts all the same; VALIDATE CONSTRAINT, in a later migration if ever,
-- needs no lock that stops a read or a write.
ALTER TABLE push_subscriptions
    DROP CONSTRAINT push_subscriptions_session_id_fkey,
    ADD CONSTRAINT push_subscriptions_session_id_fkey
        FOREIGN KEY (session_id) REFERENCES sessions (id) ON DELETE CASCADE NOT VALID;

-- Their session is gone: that browser is signed out, so its reminders stop. Signed in still
-- (a subscription older than 0010), its Settings offers "Turn on reminders" again, which
-- makes the subscription anew with this session. The app always gives a session (so a
-- process of the release before, mid-deploy, makes none without): push.subscribe is called
-- only for a signed-in browser, with its session's id, by every release since 0010.
-- Their pushes lose them as a sign-out's do (deliveries.subscription_id ON DELETE SET NULL).
DELETE FROM push_subscriptions WHERE session_id IS NULL;
