-- name: subscribe$
-- Store a browser's subscription; the same endpoint again replaces its keys and owner.
-- :session_id: the signed-in browser it belongs to (signing that one out removes it).
INSERT INTO push_subscriptions (account_id, endpoint, p256dh, auth, device, session_id)
VALUES (:account_id, :endpoint, :p256dh, :auth, :device, :session_id)
ON CONFLICT (endpoint) DO UPDATE
SET account_id = EXCLUDED.account_id, p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth,
    device = EXCLUDED.device, session_id = EXCLUDED.session_id
RETURNING id

-- name: devices
-- My subscribed devices, newest first.
SELECT id, endpoint, device, created_at, last_sent_at
FROM push_subscriptions WHERE account_id = :account_id ORDER BY created_at DESC, id DESC

-- name: remove$
-- Remove one of my devices.
DELETE FROM push_subscriptions WHERE id = :id AND account_id = :account_id RETURNING id

-- name: remove_endpoint$
-- Remove the device with this endpoint, when it is mine.
DELETE FROM push_subscriptions WHERE endpoint = :endpoint AND account_id = :account_id RETURNING id
