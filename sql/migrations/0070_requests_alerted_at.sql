-- When a push of a request to connect last alerted on this device (renotify: it buzzes even
-- over the one shown). deliveries.claim stamps it as it leases a fresh request's push, and
-- lets that one alert only when the stamp is older than notifications.REQUEST_QUIET (two
-- minutes): sixty asked after a talk buzz once, however many claims and batches carry their
-- pushes, and a steady stream buzzes once every two minutes. Stamped in the claim, not when
-- sent: pushes still in flight count. NULL: none has alerted yet.
ALTER TABLE push_subscriptions ADD COLUMN requests_alerted_at timestamptz;
