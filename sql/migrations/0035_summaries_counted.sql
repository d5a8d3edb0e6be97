-- When a summary was composed, counting what was due (set by the claims, server time): a
-- follow-up due before then is in it, so no second summary is queued for it
-- (deliveries.enqueue_taken); one due after it is not, and gets the next.
ALTER TABLE deliveries ADD COLUMN counted_at timestamptz;
ALTER TABLE emails ADD COLUMN counted_at timestamptz;
