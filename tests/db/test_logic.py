"""sql/logic.sql: the shared functions, by the answers a person would notice."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

# (timing, met, due), local times in Berlin: a Friday in December, and the night DST began.
DUE = [
    ("next_morning", "2026-12-04 19:30", "2026-12-05 09:00"),
    ("next_morning", "2026-12-04 04:59", "2026-12-04 09:00"),  # the night is the day before
    ("next_morning", "2026-12-05 00:30", "2026-12-05 09:00"),  # not 32 hours later
    ("next_morning", "2026-12-05 05:00", "2026-12-06 09:00"),
    ("in_3_days", "2026-12-04 12:00", "2026-12-07 09:00"),
    ("in_3_days", "2026-12-05 01:00", "2026-12-07 09:00"),
    ("this_evening", "2026-12-04 14:00", "2026-12-04 18:00"),
    ("this_evening", "2026-12-04 20:30", "2026-12-04 21:30"),
    ("this_evening", "2026-12-04 21:00", "2026-12-04 22:00"),
    ("this_evening", "2026-12-04 21:01", "2026-12-05 09:00"),  # too late for this evening
    ("this_evening", "2026-12-04 23:40", "2026-12-05 09:00"),  # not at 00:40
    ("this_evening", "2026-12-05 00:30", "2026-12-05 09:00"),
    ("next_morning", "2026-03-28 20:00", "2026-03-29 09:00"),  # across the change to summer time
    ("this_evening", "2026-03-29 01:30", "2026-03-29 09:00"),
]


@pytest.mark.parametrize(("timing", "met", "due"), DUE)
async def test_a_follow_up_falls_due_at_a_waking_hour(pool, timing, met, due):
    local_due = await pool.fetchval(
        "SELECT followup_due($1, 'Europe/Berlin', $2::timestamp AT TIME ZONE 'Europe/Berlin')"
        " AT TIME ZONE 'Europe/Berlin'",
        timing,
        datetime.fromisoformat(met),
    )
    assert local_due == datetime.fromisoformat(due)


async def test_a_day_later_is_nine_in_the_morning_in_every_zone(pool):
    """Snoozes and "Remind me tomorrow" (morning_after): 09:00 local wherever one is."""
    for zone in ("Europe/Berlin", "America/New_York", "Asia/Kolkata", "UTC"):
        due = await pool.fetchval(
            "SELECT morning_after($1, $2, 1) AT TIME ZONE $1",
            zone,
            datetime(2026, 10, 24, 12, 0, tzinfo=UTC),
        )
        assert due == datetime(2026, 10, 25, 9, 0), zone


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


@pytest.mark.parametrize(
    ("moment", "then"),
    [
        ("2026-12-04 14:00", "2026-12-04 14:00"),
        ("2026-12-04 22:00", "2026-12-04 22:00"),
        ("2026-12-04 22:01", "2026-12-05 09:00"),
        ("2026-12-05 00:30", "2026-12-05 09:00"),
        ("2026-12-05 06:00", "2026-12-05 09:00"),
        ("2026-03-28 23:00", "2026-03-29 09:00"),  # the night summer time begins
    ],
)
async def test_what_the_worker_times_itself_waits_for_a_waking_hour(pool, moment, then):
    """A later reminder summary (waking_hour): never between 22:00 and 09:00."""
    local = await pool.fetchval(
        "SELECT waking_hour('Europe/Berlin', $1::timestamp AT TIME ZONE 'Europe/Berlin')"
        " AT TIME ZONE 'Europe/Berlin'",
        datetime.fromisoformat(moment),
    )
    assert local == datetime.fromisoformat(then)
