"""sql/logic.sql: the shared functions give the answers the copies they replaced gave."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

# Moments around the 2026 DST changes in Berlin (29 March, 25 October) and New York.
MOMENTS = [
    datetime(2026, 3, 27, 22, 30, tzinfo=UTC),
    datetime(2026, 3, 28, 23, 30, tzinfo=UTC),
    datetime(2026, 10, 23, 12, 0, tzinfo=UTC),
    datetime(2026, 11, 1, 4, 59, tzinfo=UTC),
]
ZONES = ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "UTC"]


@pytest.mark.parametrize("days", [1, 3])
async def test_morning_after_is_the_9_am_rule_the_queries_had(pool, days):
    for moment in MOMENTS:
        for zone in ZONES:
            new, old = await pool.fetchrow(
                """
                SELECT morning_after($1, $2, $3),
                       (date_trunc('day', $2 AT TIME ZONE $1) + make_interval(days => $3)
                        + interval '9 hours') AT TIME ZONE $1
                """,
                zone,
                moment,
                days,
            )
            assert new == old, (zone, moment)
            timing = "in_3_days" if days == 3 else "next_morning"
            due = await pool.fetchval("SELECT followup_due($1, $2, $3)", timing, zone, moment)
            assert due == old, (timing, zone, moment)


async def test_current_event_counts_two_hours_grace_either_side(pool):
    account = await pool.fetchval("INSERT INTO accounts DEFAULT VALUES RETURNING id")
    event = await pool.fetchval(
        """
        INSERT INTO events (organizer_id, name, starts_at, ends_at, time_zone, join_code)
        VALUES ($1, 'Meetup', '2026-05-01 18:00Z', '2026-05-01 20:00Z', 'UTC', 'ABCDEF')
        RETURNING id
        """,
        account,
    )
    await pool.execute(
        "INSERT INTO event_attendees (event_id, account_id) VALUES ($1, $2)", event, account
    )
    at = "SELECT current_event($1, $2::text::timestamptz)"
    assert await pool.fetchval(at, account, "2026-05-01 16:00Z") == event
    assert await pool.fetchval(at, account, "2026-05-01 22:00Z") == event
    assert await pool.fetchval(at, account, "2026-05-01 15:59Z") is None
    assert await pool.fetchval(at, account, "2026-05-01 22:01Z") is None


async def test_a_block_hides_both_ways_and_nobody_else(pool):
    ana, ben, cem = [
        await pool.fetchval("INSERT INTO accounts (time_zone) VALUES ('UTC') RETURNING id")
        for _ in range(3)
    ]
    await pool.execute("INSERT INTO blocks (blocker_id, blocked_id) VALUES ($1, $2)", ana, ben)
    hidden = "SELECT array_agg(account_id ORDER BY account_id) FROM blocked_with($1)"
    assert await pool.fetchval(hidden, ana) == [ben]
    assert await pool.fetchval(hidden, ben) == [ana]
    assert await pool.fetchval(hidden, cem) is None
    between = "SELECT blocked_between($1, $2)"
    assert await pool.fetchval(between, ana, ben) and await pool.fetchval(between, ben, ana)
    assert not await pool.fetchval(between, ana, cem)


async def test_two_accounts_merged_keep_the_lesser_sharing_with_a_common_contact(pool):
    ids = [await pool.fetchval("INSERT INTO accounts DEFAULT VALUES RETURNING id") for _ in "abc"]
    for account_id, name in zip(ids, ("Dana Lee", "Dana (old)", "Mia Chen"), strict=True):
        await pool.execute(
            "INSERT INTO cards (account_id, name, headline, email)"
            " VALUES ($1, $2, 'Recruiter', 'x@e.co')",
            account_id,
            name,
        )
    source, target, mia = ids
    await pool.execute(
        "INSERT INTO contacts (owner_id, contact_id, sharing) VALUES ($1, $3, 'basics'),"
        " ($2, $3, 'all'), ($3, $1, 'all'), ($3, $2, 'all')",
        source,
        target,
        mia,
    )
    await pool.execute("SELECT merge_accounts($1, $2)", source, target)
    assert (
        await pool.fetchval(
            "SELECT sharing FROM contacts WHERE owner_id = $1 AND contact_id = $2", target, mia
        )
        == "basics"
    ), "either account shared less with Mia: the one person does"
    seen = await pool.fetchrow("SELECT name, headline, email FROM shared_card($1, $2)", target, mia)
    assert tuple(seen) == ("Dana (old)", "Recruiter", ""), "Mia sees name and headline only"
