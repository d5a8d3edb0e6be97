-- name: lock_devices!
-- Serialises one account's subscribing (the cap below counts, then inserts): held until commit.
SELECT pg_advisory_xact_lock(hashtextextended('push-devices:' || :account_id::bigint, 0))

-- name: subscribe$
-- Store a browser's subscription, or renew its keys. Nothing (NULL) when the endpoint is
-- another account's (an endpoint is one browser's: moving it would send that person's
-- reminders to whoever posted it), or when the account has :most other devices already.
-- :session_id: the signed-in browser it belongs to (signing that one out removes it).
-- Run after lock_devices, in its transaction, so two at once cannot both pass the cap.
INSERT INTO push_subscriptions (account_id, endpoint, p256dh, auth, device, session_id)
SELECT :account_id, :endpoint, :p256dh, :auth, :device, :session_id
WHERE (SELECT count(*) FROM push_subscriptions
       WHERE account_id = :account_id AND endpoint <> :endpoint) < :most
ON CONFLICT (endpoint) DO UPDATE
SET p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth,
    device = EXCLUDED.device, session_id = EXCLUDED.session_id
WHERE push_subscriptions.account_id = EXCLUDED.account_id
RETURNING id

-- name: endpoint_taken$
-- Whether this endpoint is subscribed by another account than :account_id.
SELECT EXISTS (SELECT 1 FROM push_subscriptions
               WHERE endpoint = :endpoint AND account_id <> :account_id)

-- name: devices
-- My subscribed devices, newest first, and whether each gets reminders (``in_use``,
-- reminder_devices() in logic.sql): one whose browser went unused for a session's life is
-- signed out there and gets none, yet is listed, so marked, until retention deletes it.
SELECT s.id, s.endpoint, s.device, s.created_at, s.last_sent_at,
       EXISTS (SELECT 1 FROM reminder_devices(:account_id) r WHERE r.id = s.id) AS in_use
FROM push_subscriptions s WHERE s.account_id = :account_id
ORDER BY s.created_at DESC, s.id DESC

-- name: remove$
-- Remove one of my devices.
DELETE FROM push_subscriptions WHERE id = :id AND account_id = :account_id RETURNING id

-- name: remove_endpoint$
-- Remove the device with this endpoint, when it is mine.
DELETE FROM push_subscriptions WHERE endpoint = :endpoint AND account_id = :account_id RETURNING id

-- name: still_subscribed$
-- Whether device :id is still one of :account_id's: a reminder's "Done" / "Snooze" act only
-- from the device they were pushed to, until it is signed out or removed (which deletes it),
-- or its browser's session ends unused (reminder_devices() in logic.sql; retention deletes it
-- later).
SELECT EXISTS (SELECT 1 FROM reminder_devices(:account_id) s WHERE s.id = :id)

-- name: on_session$
-- Whether the browser signed in as session :session_id gets reminders by push: signing it
-- out removes its subscription with it (sessions.revoke).
SELECT EXISTS (SELECT 1 FROM push_subscriptions WHERE session_id = :session_id)
