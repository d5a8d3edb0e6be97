-- Shared predicates, each written once and used by the queries in sql/queries/.
--
-- Applied at every start, after the migrations and under the same advisory lock
-- (server/db/migrations.py), so changing one here is a deploy, not a migration. The
-- definitions in old migrations are history: these replace them. CREATE OR REPLACE
-- cannot rename a parameter, change a return type or drop a default; such a change
-- needs a migration that drops the old function first.

-- The grace around an event's times: people arrive early and chat at the door.
CREATE OR REPLACE FUNCTION event_grace() RETURNS interval
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT interval '2 hours'
$$;

-- The event an account is at (now, or at `at` for a swap queued offline): one it joined
-- (and has not left), not closed, that is on, give or take event_grace().
CREATE OR REPLACE FUNCTION current_event(account bigint, at timestamptz DEFAULT now())
RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT ea.event_id
    FROM event_attendees ea JOIN events e ON e.id = ea.event_id
    WHERE ea.account_id = account AND ea.left_at IS NULL AND e.closed_at IS NULL
      AND at BETWEEN e.starts_at - event_grace() AND e.ends_at + event_grace()
    ORDER BY ea.joined_at DESC
    LIMIT 1
$$;

-- The accounts hidden from `account` by a block, whichever side made it: a block hides
-- both ways. A set-returning SQL function, so the planner inlines it into a roster's
-- query as an anti-join instead of calling a function once per row.
CREATE OR REPLACE FUNCTION blocked_with(account bigint) RETURNS TABLE (account_id bigint)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT blocked_id FROM blocks WHERE blocker_id = account
    UNION ALL
    SELECT blocker_id FROM blocks WHERE blocked_id = account
$$;

-- Whether either of two accounts blocked the other: for one pair at a time.
CREATE OR REPLACE FUNCTION blocked_between(a bigint, b bigint) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT EXISTS (SELECT 1 FROM blocked_with(a) hidden WHERE hidden.account_id = b)
$$;

-- 09:00 in time zone `tz`, `days` days after the local day of `moment`: the morning
-- a reminder falls due, correct across DST.
CREATE OR REPLACE FUNCTION morning_after(tz text, moment timestamptz, days integer)
RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT (date_trunc('day', moment AT TIME ZONE tz) + make_interval(days => days)
            + interval '9 hours') AT TIME ZONE tz
$$;

-- When a follow-up falls due: a time of day in the person's own time zone.
CREATE OR REPLACE FUNCTION followup_due(timing text, tz text, met timestamptz)
RETURNS timestamptz
LANGUAGE sql STABLE AS $$
    SELECT CASE timing
        WHEN 'this_evening' THEN greatest(
            (date_trunc('day', met AT TIME ZONE tz) + interval '18 hours') AT TIME ZONE tz,
            met + interval '1 hour')
        WHEN 'in_3_days' THEN morning_after(tz, met, 3)
        ELSE morning_after(tz, met, 1)
    END
$$;

-- Reminders reach an account by push, by email, both or neither (accounts.reminders_by);
-- unset: by email when its address is confirmed and it has no push device, else by push.
CREATE OR REPLACE FUNCTION reminders_by_push(account bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT coalesce(reminders_by, 'push') IN ('push', 'both') FROM accounts WHERE id = account
$$;

-- The address an account's reminders are emailed to, or NULL when they are not: it must be
-- confirmed, not unsubscribed and not bouncing.
CREATE OR REPLACE FUNCTION reminder_address(account bigint) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT ea.address
    FROM accounts a
    JOIN cards c ON c.account_id = a.id
    JOIN email_addresses ea ON ea.address = lower(c.email)
    WHERE a.id = account
      AND ea.confirmed_at IS NOT NULL AND ea.unsubscribed_at IS NULL AND ea.bounced_at IS NULL
      AND (a.reminders_by IN ('email', 'both')
           OR (a.reminders_by IS NULL
               AND NOT EXISTS (SELECT 1 FROM push_subscriptions s WHERE s.account_id = a.id)))
$$;
