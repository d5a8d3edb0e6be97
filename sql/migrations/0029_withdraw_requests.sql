-- A request to connect can be withdrawn by the person who sent it. `status` stays what the
-- person asked did (pending: not answered); `withdrawn_at` is when the sender took it back.
-- A declined request withdrawn keeps its decline: asking again then notifies nobody, as
-- before (declining is silent, and meant to end it).
ALTER TABLE connect_requests ADD COLUMN withdrawn_at timestamptz;

-- One request waiting per pair, whichever way: a withdrawn one no longer waits.
DROP INDEX connect_requests_one_pending;
CREATE UNIQUE INDEX connect_requests_one_pending
    ON connect_requests (least(from_id, to_id), greatest(from_id, to_id))
    WHERE status = 'pending' AND withdrawn_at IS NULL;

-- For retention, which deletes withdrawn requests by age as it does answered ones.
CREATE INDEX connect_requests_withdrawn ON connect_requests (withdrawn_at)
    WHERE withdrawn_at IS NOT NULL;
