"""A push the push service refused for now (429, 5xx) is tried again later, but never in its
person's night: a reminder at 20:00 meeting three hours of 503s comes at 09:00 the next
morning, not at 23:00. A request to connect keeps its own rule: at once while its event is
on (an evening mixer's requests are for the room), else at a waking hour."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.followups.test_flood import zone_where_it_is
from tests.reminders import make_due, running_worker, subscribe, swapped
from tests.roster.test_routes import story

THREE_HOURS = (503, {"Retry-After": str(3 * 3600)})


def next_morning_in(zone: str) -> datetime:
    """The next 09:00 in ``zone``, where it is now 20:00 (or 23:00): tomorrow's, or today's
    once midnight has passed (at 23:59 the hour turns during the test)."""
    here = datetime.now(ZoneInfo(zone))
    day = here.date() if here.time() < time(9) else here.date() + timedelta(days=1)
    return datetime.combine(day, time(9), ZoneInfo(zone))


async def retried_at(pool) -> datetime:
    status, at = await pool.fetchrow("SELECT status, next_attempt_at FROM deliveries")
    assert status == "queued"
    return at


@pytest.mark.parametrize("hour", [20, 12])
async def test_a_reminder_retried_into_the_night_waits_for_the_morning(
    new_phone, pool, push, app, hour
):
    # Dana's reminder falls due at 20:00 where she lives (or at noon); the push service
    # answers 503 and asks for three hours.
    zone = zone_where_it_is(hour)
    dana, _ = await swapped(new_phone)
    await pool.execute("UPDATE accounts SET time_zone = $1 WHERE id = 1", zone)
    device = await subscribe(dana, push)
    push.script(device, [THREE_HOURS])
    await make_due(pool)
    start = datetime.now(UTC)
    async with running_worker(app, push) as worker:
        await worker.run_once()
        assert await worker.run_once() == 0
    assert push.received_for(device) == []
    at = await retried_at(pool)
    if hour == 20:
        # 23:00 is night: 09:00 the next morning, where she is.
        assert at == next_morning_in(zone)
    else:
        # 15:00 is not: three hours, as the push service asked.
        assert timedelta(hours=3) <= at - start < timedelta(hours=3, seconds=30)


@pytest.mark.parametrize("ends_in_hours", [0.5, 4])
async def test_a_request_retried_after_its_event_waits_for_a_waking_hour(
    new_phone, pool, push, app, ends_in_hours
):
    # Ben asks Ana to connect at an event running late where she lives (23:00): pushed at
    # once, but the push service answers 503 for three hours. The event ends in half an hour
    # (its requests are for the room for two hours more): the retry waits for her morning.
    # Ending in four hours, the event is still on then: the retry goes in three hours.
    event_id, ana, ben = await story(new_phone, pool)
    zone = zone_where_it_is(23)
    await pool.execute(
        "UPDATE accounts SET time_zone = $1"
        " WHERE id = (SELECT account_id FROM cards WHERE name = 'Ana Silva')",
        zone,
    )
    device = await subscribe(ana, push)
    push.script(device, [THREE_HOURS])
    await ben.post(ben.url("request_connect", event_id=event_id, account_id=2))
    await pool.execute(
        "UPDATE events SET starts_at = now() - interval '3 hours',"
        " ends_at = now() + make_interval(secs => $1)",
        ends_in_hours * 3600,
    )
    start = datetime.now(UTC)
    async with running_worker(app, push) as worker:
        await worker.run_once()
    assert push.received_for(device) == []
    at = await retried_at(pool)
    if ends_in_hours < 1:
        assert at == next_morning_in(zone)
    else:
        assert timedelta(hours=3) <= at - start < timedelta(hours=3, seconds=30)
