"""Deleting an account reads only its own events, not all of them (review of a397708). It
holds the events it organises, attended or its contact rows name before anything else
(hold_to_delete() in sql/logic.sql); found by an OR of the organizer and a subquery, they were
looked for among every event, each time: deleting a person who typed a thousand guests
deleted each of them (forget_lone_guests()), reading every event a thousand times, and their
request to delete waited minutes. Now each is found by its index.

What the deleting read is what PostgreSQL counts for the table (pg_stat_user_tables), sent
when the connection that deleted ends; the account's table counts the deleting too, which
says the counts are in."""

from __future__ import annotations

import asyncpg

from tests.reminders import swapped
from tests.waiting import eventually

EVENTS = 3000
# Past events of other organizers, closed: join codes made from their number.
PAST_EVENTS = """
INSERT INTO events (name, starts_at, ends_at, time_zone, join_code, closed_at)
SELECT 'Past event ' || g, now() - interval '2 days', now() - interval '1 day', 'UTC',
       (SELECT string_agg(substr('23456789ABCDEFGHJKMNPQRSTUVWXYZ', 1 + (g / 31 ^ k)::int % 31,
                                 1), '' ORDER BY k)
        FROM generate_series(0, 5) k),
       now()
FROM generate_series(1, $1::int) g"""
READ = """
SELECT (SELECT seq_tup_read + coalesce(idx_tup_fetch, 0) FROM pg_stat_user_tables
        WHERE relname = 'events'),
       (SELECT n_tup_del FROM pg_stat_user_tables WHERE relname = 'accounts')"""


async def test_deleting_an_account_reads_its_events_not_every_event(
    new_phone, pool: asyncpg.Pool, database_url: str
) -> None:
    await swapped(new_phone)
    mia = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Mia Chen'")
    await pool.execute(PAST_EVENTS, EVENTS)
    await pool.execute("ANALYZE events, event_attendees, contacts, followups, accounts")
    events_before, deleted_before = await pool.fetchrow(READ)
    deleting = await asyncpg.connect(database_url)
    try:
        async with deleting.transaction():
            assert await deleting.fetchval("SELECT delete_account($1)", mia)
    finally:
        await deleting.close()

    async def counted() -> tuple[int, int] | None:
        events, deleted = await pool.fetchrow(READ)
        return (events, deleted) if deleted > deleted_before else None

    events_after, _ = await eventually(counted, "the deleting's counts sent")
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE id = $1", mia) == 0
    assert events_after - events_before < EVENTS / 10, (events_before, events_after)
