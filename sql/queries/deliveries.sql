-- name: take_due
-- Queueing due follow-ups, step 1 of 4 (Worker.enqueue_due runs them in one transaction):
-- lock up to :limit follow-ups due and not yet queued this round; those another worker holds
-- are left to it. Returns them with their owners, whose locks step 2 takes.
SELECT id, owner_id FROM followups
WHERE status = 'open' AND due_at <= now() AND queued_round < round
ORDER BY due_at
LIMIT :limit
FOR UPDATE SKIP LOCKED

-- name: lock_owners!
-- Step 2: wait until no other transaction is queueing reminders for these owners (:owners),
-- so that step 4, a statement of its own with a snapshot taken after the wait, counts what
-- they queued today: two workers at once cannot both send the day's first few. Transaction
-- advisory locks, taken in the owners' order so that two workers never wait in a circle.
SELECT count(pg_advisory_xact_lock(hashtextextended('reminders:' || owner_id, 0)))
FROM (SELECT DISTINCT owner_id FROM unnest(:owners::bigint[]) AS owner_id ORDER BY owner_id) o

-- name: lock_waiting_summaries!
-- Step 3: lock the owners' (:owners) summaries still waiting to go, so that none is claimed
-- while step 4 counts on it to cover what it takes (a claim skips a locked row, and counts
-- later). One a claim took meanwhile is passed over here, and step 4, a statement of its
-- own, sees when that claim counted.
SELECT 1 FROM (
    SELECT id FROM deliveries
    WHERE summary_account_id = ANY(:owners::bigint[]) AND status = 'queued'
    FOR UPDATE
) waiting_pushes
UNION ALL
SELECT 1 FROM (
    SELECT id FROM emails
    WHERE account_id = ANY(:owners::bigint[]) AND kind = 'summary' AND status = 'queued'
    FOR UPDATE
) waiting_emails

-- name: enqueue_taken$
-- Step 4: turn the follow-ups :ids (locked by step 1) into one delivery per subscribed device
-- whose browser's session is in use (reminder_devices() in logic.sql) and one email, each round once, as the owner wants reminders to come (reminder_channels
-- in logic.sql). Only the first :each_day reminders of the owner's local day
-- go one by one; past those, a summary per device ("You have N people to follow up") and
-- a summary email, so that a flood of new contacts is one notification and one email, not
-- hundreds. A summary counts what is due when it is claimed (counted_at), so these are in
-- one still waiting (step 3 holds it), or one that counted after they fell due; else a new
-- one is queued, to go :summary_gap_seconds after the last went at the soonest, and never
-- at night (next_summary_at in logic.sql): a follow-up due after the day's summary is reminded
-- too. A reminder queued more than half an hour after it fell due (the workers were away)
-- waits for its owner's waking hour, as a retry does. Returns how many follow-ups were queued.
WITH taken AS (
    -- statement_timestamp(), here and below: this statement runs after steps 2 and 3 waited
    -- for other workers, whose reminders were stamped meanwhile (now() is when ours began).
    -- Stamped with when it goes (send_at): late by more than half an hour (the workers were
    -- away when it fell due), not into her night but at her next waking hour (at once when it
    -- is day there), and counted among that day's reminders, not tonight's.
    UPDATE followups f
    SET queued_round = f.round,
        queued_at = CASE WHEN f.due_at < statement_timestamp() - interval '30 minutes'
                         THEN waking_hour(coalesce(a.time_zone, 'UTC'), statement_timestamp())
                         ELSE statement_timestamp() END
    FROM accounts a
    WHERE a.id = f.owner_id AND f.id = ANY(:ids::bigint[]) AND f.queued_round < f.round
    RETURNING f.id, f.round, f.owner_id, f.due_at, f.queued_at AS send_at
), ranked AS (
    -- Which reminder of the owner's day each is: those queued for that day before, by any
    -- worker (committed before step 2's lock was ours; this statement's snapshot does not see
    -- the update above) plus its place among those taken now. A day as reminders count them
    -- (reminder_day() in logic.sql): from 05:00 to 05:00, so that the night is not a fresh
    -- day's five; the day each goes, so that those held for the morning count there.
    SELECT taken.id, taken.round, taken.owner_id, taken.due_at, taken.send_at, today.day,
           today.tz, ch.by_push, ch.address,
           today.earlier + row_number() OVER (PARTITION BY taken.owner_id, today.day
                                              ORDER BY taken.id) AS nth
    FROM taken
    JOIN accounts a ON a.id = taken.owner_id
    CROSS JOIN LATERAL reminder_channels(taken.owner_id) ch
    CROSS JOIN LATERAL (
        SELECT local.day::date AS day, local.tz,
               (SELECT count(*) FROM followups q
                WHERE q.owner_id = taken.owner_id
                  AND q.queued_at >= (local.day + interval '5 hours') AT TIME ZONE local.tz
                  AND q.queued_at < (local.day + interval '29 hours') AT TIME ZONE local.tz)
                   AS earlier
        FROM (SELECT reminder_day(zone.tz, taken.send_at) AS day, zone.tz
              FROM (SELECT coalesce(a.time_zone, 'UTC') AS tz) zone) local
    ) today
), queued AS (
    INSERT INTO deliveries (followup_id, round, subscription_id, next_attempt_at)
    SELECT ranked.id, ranked.round, s.id, ranked.send_at
    FROM ranked CROSS JOIN LATERAL reminder_devices(ranked.owner_id) s
    WHERE ranked.nth <= :each_day AND ranked.by_push
    ON CONFLICT (followup_id, round, subscription_id) DO NOTHING
), summarising AS (
    SELECT owner_id, day, tz, by_push, address, max(due_at) AS due_at
    FROM ranked WHERE nth > :each_day
    GROUP BY owner_id, day, tz, by_push, address
), summarised AS (
    INSERT INTO deliveries (summary_account_id, summary_day, subscription_id, next_attempt_at)
    SELECT summarising.owner_id, summarising.day, s.id,
           next_summary_at(summarising.tz, last.went, :summary_gap_seconds)
    FROM summarising CROSS JOIN LATERAL reminder_devices(summarising.owner_id) s
    CROSS JOIN LATERAL (
        SELECT max(coalesce(d.sent_at, d.counted_at))
                   FILTER (WHERE d.status IN ('sent', 'sending')) AS went,
               bool_or(d.status = 'queued'
                       OR (d.status IN ('sent', 'sending') AND d.counted_at >= summarising.due_at))
                   AS covered
        FROM deliveries d
        WHERE d.summary_account_id = summarising.owner_id AND d.subscription_id = s.id
    ) last
    WHERE summarising.by_push AND last.covered IS NOT TRUE
), mailed AS (
    INSERT INTO emails (kind, account_id, to_address, followup_id, round, next_attempt_at)
    SELECT 'reminder', owner_id, address, id, round, send_at FROM ranked
    WHERE address IS NOT NULL AND nth <= :each_day
    ON CONFLICT DO NOTHING
), mail_summarised AS (
    INSERT INTO emails (kind, account_id, to_address, summary_day, next_attempt_at)
    SELECT 'summary', summarising.owner_id, summarising.address, summarising.day,
           next_summary_at(summarising.tz, last.went, :summary_gap_seconds)
    FROM summarising
    CROSS JOIN LATERAL (
        SELECT max(coalesce(e.sent_at, e.counted_at))
                   FILTER (WHERE e.status IN ('sent', 'sending')) AS went,
               bool_or(e.status = 'queued'
                       OR (e.status IN ('sent', 'sending') AND e.counted_at >= summarising.due_at))
                   AS covered
        FROM emails e WHERE e.account_id = summarising.owner_id AND e.kind = 'summary'
    ) last
    WHERE summarising.address IS NOT NULL AND last.covered IS NOT TRUE
)
SELECT count(*) FROM taken

-- name: claim
-- Lease up to :limit deliveries to worker :worker for :lease_seconds seconds, with everything the
-- notification needs, whichever kind it is: those that are ready, and those whose worker's lease
-- ran out (it was killed, or cut off from the database). Rows another worker holds are skipped.
-- For a lease's length after PostgreSQL starts, run-out leases are left alone: their workers
-- were cut off by the restart, not dead, and need that long to come back, renew, and record
-- what the push service accepted meanwhile (or it would be sent twice).
-- Run-out leases first (a dead worker's: rare), then the ready ones in the order of
-- deliveries_ready: each reads its partial index in order and stops at :limit (one query with
-- OR read and sorted the whole queue for every claim).
WITH run_out AS (
    SELECT id FROM deliveries
    WHERE status = 'sending' AND lease_until < now()
      AND pg_postmaster_start_time() < now() - make_interval(secs => :lease_seconds)
    ORDER BY lease_until
    LIMIT :limit
    FOR UPDATE SKIP LOCKED
), ready AS (
    SELECT id FROM deliveries
    WHERE status = 'queued' AND next_attempt_at <= now()
    ORDER BY next_attempt_at, id
    LIMIT :limit
    FOR UPDATE SKIP LOCKED
), picked AS (
    -- Rows locked here but past the limit are let go when the statement's transaction ends.
    SELECT id FROM run_out
    UNION ALL
    (SELECT id FROM ready LIMIT :limit - (SELECT count(*) FROM run_out))
), leased AS (
    UPDATE deliveries d
    SET status = 'sending', lease_until = now() + make_interval(secs => :lease_seconds),
        leased_by = :worker, attempts = d.attempts + 1,
        -- A summary counts what is due now (summary_waiting, below).
        counted_at = CASE WHEN d.summary_account_id IS NOT NULL THEN now() END
    FROM picked WHERE d.id = picked.id
    RETURNING d.id, d.followup_id, d.round, d.subscription_id, d.attempts, d.request_id,
              d.digest_event_id, d.digest_account_id, d.summary_account_id
), fresh_requests AS MATERIALIZED (
    -- Per device, the first (lowest id) of this claim's pushes of a request made just now,
    -- within notifications.REQUEST_ALERTS_WITHIN (10 minutes), and waiting still: the one
    -- that may alert (request_alerts, below). One held for her morning, or retried past
    -- them, replaces the one shown silently, and uses up nothing. By each request's key: a
    -- few rows.
    SELECT DISTINCT ON (l.subscription_id) l.subscription_id, l.id
    FROM leased l JOIN connect_requests r ON r.id = l.request_id
    WHERE l.subscription_id IS NOT NULL
      AND r.created_at > now() - interval '10 minutes'
      AND r.status = 'pending' AND r.withdrawn_at IS NULL
    ORDER BY l.subscription_id, l.id
), alert_devices AS MATERIALIZED (
    -- Their devices, locked in id order (as mark_sent_many locks them): two claims stamping
    -- the same devices at once never wait for each other in a circle. Each with its stamp as
    -- locked (the newest, another claim's included), for give_back_alert.
    SELECT s.id, s.requests_alerted_at FROM push_subscriptions s
    WHERE s.id IN (SELECT subscription_id FROM fresh_requests)
    ORDER BY s.id
    FOR NO KEY UPDATE
), alerted AS (
    -- A request's push alerts (renotify) on a device at most once per
    -- notifications.REQUEST_QUIET (2 minutes; held equal by tests/roster/
    -- test_push_request_burst.py), stamped here as it is claimed: sixty asked after a talk,
    -- whichever claims and batches carry their pushes, and however long those take to be
    -- marked sent, buzz once; a steady stream buzzes every two minutes. Another claim that
    -- stamped a device first (committed while this one waited for its lock) is seen here,
    -- and this one does not alert. now(): the database's one clock. A push that was to alert
    -- and did not go (retried, failed, skipped) gives its stamp back (give_back_alert): the
    -- retry, or the next request, alerts, and nobody's alert is used up by one never shown.
    UPDATE push_subscriptions s SET requests_alerted_at = now()
    FROM alert_devices, fresh_requests f
    WHERE s.id = alert_devices.id AND f.subscription_id = s.id
      AND (s.requests_alerted_at IS NULL
           OR s.requests_alerted_at <= now() - interval '2 minutes')
    RETURNING f.id AS delivery_id, s.requests_alerted_at AS alerted_at,
              alert_devices.requests_alerted_at AS alerted_before
)
SELECT l.id, l.followup_id, l.round, l.attempts, l.request_id, l.digest_event_id,
       l.summary_account_id,
       -- Whose a digest or a request is, for its page's ``for`` (notifications.Paths): columns the
       -- lease returns and the request's join reads already, no work more per row.
       l.digest_account_id, r.to_id AS request_to_id,
       -- Each kind's counts only for rows of that kind (CASE runs a subquery only when its
       -- branch is taken): for every other row they would read nothing, but a plan made while
       -- deliveries looked empty reads it whole for each row claimed.
       CASE WHEN l.summary_account_id IS NOT NULL THEN
           summary_waiting(l.summary_account_id,
                           (SELECT max(d.counted_at) FROM deliveries d
                            WHERE d.summary_account_id = l.summary_account_id
                              AND d.subscription_id = l.subscription_id AND d.status = 'sent'))
       END AS summary_waiting,
       -- Whether its owner gets reminders by push now, not only when it was queued: Settings
       -- may have changed while it waited (for the morning, for a retry). A request to
       -- connect is not a reminder: NULL.
       CASE WHEN l.request_id IS NULL THEN
           reminders_by_push(coalesce(f.owner_id, l.digest_account_id, l.summary_account_id))
       END AS by_push,
       s.id AS subscription_id, s.endpoint, s.p256dh, s.auth,
       -- Whether its browser's session is in use (session_in_use() in logic.sql): one unused
       -- past a session's life has ended (sessions.account_for) though retention deletes it
       -- later, and gets no push (Worker.deliver). NULL with no device left.
       session_in_use(ss.last_seen_at) AS session_in_use,
       f.status AS followup_status, f.round AS followup_round, f.owner_id, f.contact_id,
       coalesce(a.time_zone, 'UTC') AS time_zone, ct.met_at, ct.promised, ct.they_asked, c.name,
       -- Whether a reminder's push may carry her notes (Settings): by default it says only
       -- that there are some (wording.reminder); read when it goes, as by_push is.
       a.notes_on_lock_screen,
       met_event.name AS met_event_name,
       -- A request waiting still, but not among open_requests() (logic.sql): the asker has
       -- them in their contacts now, they swapped since, and there is nothing to accept
       -- (requests.incoming).
       CASE WHEN r.withdrawn_at IS NOT NULL THEN 'withdrawn'
            WHEN r.status = 'pending'
                 AND NOT EXISTS (SELECT 1 FROM open_requests(r.to_id) q WHERE q.id = r.id)
                THEN 'connected'
            ELSE r.status
       END AS request_status,
       requester.name AS requester_name, request_event.name AS request_event_name,
       -- Requests waiting for its person's answer now, this one included, counted as the badge
       -- counts them: one notification for them all says how many (its tag is one for all).
       CASE WHEN l.request_id IS NOT NULL THEN (SELECT count(*) FROM open_requests(r.to_id))
       END AS requests_waiting,
       -- Whether this request's push alerts (renotify) even over one shown: the first of a
       -- request made just now on its device, none having alerted there for two minutes
       -- (alerted, above). False for every other row.
       alerted.delivery_id IS NOT NULL AS request_alerts,
       -- The stamp it set, and the one it replaced: given back if it does not go.
       alerted.alerted_at AS request_alerted_at, alerted.alerted_before AS request_alerted_before,
       digest_event.name AS digest_event_name,
       CASE WHEN l.digest_event_id IS NOT NULL THEN
           (SELECT count(*) FROM contacts x
            WHERE x.owner_id = l.digest_account_id AND x.event_id = l.digest_event_id)
       END AS digest_met,
       -- The event's open follow-ups, due or not (by default they fall due the morning
       -- after, and the digest goes an hour after the end): "N people to follow up", not
       -- "waiting", which the Follow-ups badge, counting those due, would deny
       -- (wording.digest). The email's digest counts them the same (mail.claim).
       CASE WHEN l.digest_event_id IS NOT NULL THEN
           (SELECT count(*) FROM followups xf JOIN contacts x ON x.id = xf.contact_id
            WHERE x.owner_id = l.digest_account_id AND x.event_id = l.digest_event_id
              AND xf.status = 'open')
       END AS digest_waiting
FROM leased l
LEFT JOIN followups f ON f.id = l.followup_id
LEFT JOIN accounts a ON a.id = f.owner_id
LEFT JOIN contacts ct ON ct.id = f.contact_id
LEFT JOIN cards c ON c.account_id = ct.contact_id
LEFT JOIN events met_event ON met_event.id = ct.event_id
LEFT JOIN connect_requests r ON r.id = l.request_id
LEFT JOIN cards requester ON requester.account_id = r.from_id
LEFT JOIN events request_event ON request_event.id = r.event_id
LEFT JOIN events digest_event ON digest_event.id = l.digest_event_id
LEFT JOIN push_subscriptions s ON s.id = l.subscription_id
LEFT JOIN sessions ss ON ss.id = s.session_id
LEFT JOIN alerted ON alerted.delivery_id = l.id

-- name: enqueue_digests$
-- After an event ends (plus :delay_seconds seconds), queue one digest per attendee and device
-- in use (reminder_devices() in logic.sql), and one email, as each wants reminders to come; each attendee once, at a waking hour of
-- their own (an evening event ending at 22:30: the next morning at 09:00). Returns how many
-- attendees were taken. One held for the morning goes the way they want reminders then
-- (skip_push() and skip_email() in logic.sql). Not someone who joined after the end (joining
-- stays open after it): they saw who was there as they joined, and "Who did you miss?"
-- seconds later would be noise. Left untaken, not marked: should the organizer move the end
-- past their joining (a time typed wrong), theirs is queued after it like the others'.
WITH due AS (
    SELECT ea.event_id, ea.account_id
    FROM event_attendees ea JOIN events e ON e.id = ea.event_id
    WHERE ea.digest_queued_at IS NULL AND ea.left_at IS NULL AND ea.joined_at <= e.ends_at
      AND e.ends_at + make_interval(secs => :delay_seconds) <= now()
      AND e.ends_at > now() - interval '7 days'
    LIMIT :limit
    -- An event its organizer is editing (events.hold_for_edit) is skipped: its end may be
    -- moving. The edit waits for a batch holding the event, and then sees what it queued.
    FOR UPDATE OF ea SKIP LOCKED FOR SHARE OF e SKIP LOCKED
), taken AS (
    -- By key, from arrays: joined to `due` itself, the planner hashed every attendee of the
    -- event for each batch (28 ms of 45 at 70,000 attendees); from arrays it looks each up by
    -- index. (Not by ctid: a row updated since this statement's snapshot is locked above in
    -- its newest version, which a scan by place cannot see, and would be left out.)
    UPDATE event_attendees ea SET digest_queued_at = now()
    FROM unnest(ARRAY(SELECT event_id FROM due), ARRAY(SELECT account_id FROM due))
         AS locked (event_id, account_id)
    WHERE ea.event_id = locked.event_id AND ea.account_id = locked.account_id
    RETURNING ea.event_id, ea.account_id
), timed AS (
    SELECT taken.event_id, taken.account_id,
           waking_hour(coalesce(a.time_zone, 'UTC'), now()) AS send_at
    FROM taken JOIN accounts a ON a.id = taken.account_id
), queued AS (
    INSERT INTO deliveries (digest_event_id, digest_account_id, subscription_id, next_attempt_at)
    SELECT timed.event_id, timed.account_id, s.id, timed.send_at
    FROM timed
    CROSS JOIN LATERAL reminder_channels(timed.account_id) ch
    CROSS JOIN LATERAL reminder_devices(timed.account_id) s
    WHERE ch.by_push
    ON CONFLICT DO NOTHING
), mailed AS (
    INSERT INTO emails (kind, account_id, to_address, digest_event_id, next_attempt_at)
    SELECT 'digest', timed.account_id, ch.address, timed.event_id, timed.send_at
    FROM timed CROSS JOIN LATERAL reminder_channels(timed.account_id) ch
    WHERE ch.address IS NOT NULL
    ON CONFLICT DO NOTHING
)
SELECT count(*) FROM taken

-- name: mark_sent_many!
-- The push service accepted these (:ids delivery ids, :statuses the statuses it answered).
WITH done AS (
    UPDATE deliveries d
    SET status = 'sent', sent_at = now(), lease_until = NULL, last_status = sent.status
    FROM unnest(:ids::bigint[], :statuses::int[]) AS sent(id, status)
    WHERE d.id = sent.id AND d.status = 'sending'
    RETURNING d.subscription_id
), devices AS MATERIALIZED (
    -- Locked in id order, as claim locks those it stamps (requests_alerted_at): the two at
    -- once, from one worker or two, never wait for each other in a circle.
    SELECT id FROM push_subscriptions
    WHERE id IN (SELECT subscription_id FROM done)
    ORDER BY id
    FOR NO KEY UPDATE
)
UPDATE push_subscriptions s SET last_sent_at = now()
FROM devices WHERE s.id = devices.id

-- name: mark_retry!
-- Try again after :retry_seconds seconds; after too many attempts (:max_attempts) it is failed
-- instead. Never at night for its person (waking_hour() in logic.sql): a reminder at 21:00
-- meeting a spell of 429s or 5xx would otherwise buzz at 01:00. A reminder, a summary or a
-- digest goes at its owner's waking hour from then; a request to connect keeps the rule it
-- was queued by (requests.create): at once while its event is on (closed or not), else at a
-- waking hour of the one asked. Only rows retried come here: the owner is looked up for them
-- alone.
UPDATE deliveries d
SET status = CASE WHEN d.attempts >= :max_attempts THEN 'failed' ELSE 'queued' END,
    next_attempt_at = CASE
        WHEN d.request_id IS NOT NULL
             AND EXISTS (SELECT 1 FROM connect_requests r JOIN events e ON e.id = r.event_id
                         WHERE r.id = d.request_id
                           AND retry.at BETWEEN e.starts_at - event_grace()
                                            AND e.ends_at + event_grace())
            THEN retry.at
        ELSE waking_hour(
            coalesce((SELECT a.time_zone FROM accounts a
                      WHERE a.id = coalesce(
                          (SELECT f.owner_id FROM followups f WHERE f.id = d.followup_id),
                          (SELECT r.to_id FROM connect_requests r WHERE r.id = d.request_id),
                          d.summary_account_id, d.digest_account_id)), 'UTC'),
            retry.at)
    END,
    lease_until = NULL, last_status = :status, last_error = :error
FROM (SELECT now() + make_interval(secs => :retry_seconds) AS at) retry
WHERE d.id = :id AND d.status = 'sending'

-- name: give_back_alert!
-- A request's push claimed to alert (claim's request_alerts, which stamped its device
-- :subscription_id at :alerted_at) did not go: retried later, failed or skipped. The stamp goes
-- back to what it was (:alerted_before), so that the retry, or the next request, alerts: an
-- alert nobody saw is not used up. Only while it is still this claim's (compared by value):
-- another claim that stamped the device since has its own push alerting.
UPDATE push_subscriptions SET requests_alerted_at = :alerted_before
WHERE id = :subscription_id AND requests_alerted_at = :alerted_at

-- name: mark_failed!
-- Not worth retrying (413, another 4xx): kept, and shown on the follow-ups page.
UPDATE deliveries SET status = 'failed', lease_until = NULL, last_status = :status, last_error = :error
WHERE id = :id AND status = 'sending'

-- name: mark_skipped!
-- The follow-up was done, snoozed or turned off before this went out.
UPDATE deliveries SET status = 'skipped', lease_until = NULL
WHERE id = :id AND status = 'sending'

-- name: mark_not_pushed!
-- Its owner no longer gets reminders by push (claim's by_push), or its device was removed or
-- its browser's session ended (claim's session_in_use): skipped, and emailed instead when
-- reminders are emailed now (skip_push() in logic.sql).
SELECT skip_push(:id)

-- name: mark_gone!
-- The push service says the subscription no longer exists (:status, its answer): forget the
-- device, as if removed in Settings; the reminder is emailed instead when, with that device
-- gone, reminders are emailed now (push_not_sent() in logic.sql).
SELECT push_not_sent(:id, 'gone', :status)

-- name: release!
-- Worker :worker hands back what it claimed but did not start (it is stopping, or its lease
-- ran out before it could): ready again at once, the attempt not counted.
UPDATE deliveries
SET status = 'queued', lease_until = NULL, leased_by = NULL, attempts = attempts - 1
WHERE id = ANY(:ids::bigint[]) AND status = 'sending' AND leased_by = :worker

-- name: renew
-- Worker :worker is alive: its deliveries :ids are held for another :lease_seconds seconds.
-- Returns those still its own (one it no longer holds must not be sent by it).
UPDATE deliveries
SET lease_until = now() + make_interval(secs => :lease_seconds)
WHERE id = ANY(:ids::bigint[]) AND status = 'sending' AND leased_by = :worker
RETURNING id
