"""A request to connect at an event its organizer has closed, while it is still on: closing
stops newcomers joining, and those there go on meeting until it ends, so the request is for
the room, now, as at an open one; pushed at once in the night of the one asked, and tried
again as soon as the push service allows, not held for her morning."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.events.test_routes import attendee, organizer_with_event
from tests.followups.test_flood import zone_where_it_is as zone_at_hour
from tests.followups.test_retry_at_night import THREE_HOURS, retried_at
from tests.reminders import running_worker, subscribe, zone_where_it_is


async def closed_evening(new_phone, pool, zone: str):
    """Olga's event, Ana and Ben in it, Ana where it is night (``zone``); then Olga closes
    it, the evening still on."""
    olga, event_id = await organizer_with_event(new_phone)
    ana = await attendee(new_phone, pool, event_id, "Ana Silva")
    ben = await attendee(new_phone, pool, event_id, "Ben Ode")
    await pool.execute(
        "UPDATE accounts SET time_zone = $1"
        " WHERE id = (SELECT account_id FROM cards WHERE name = 'Ana Silva')",
        zone,
    )
    closed = await olga.post(olga.url("event_close", event_id=event_id))
    assert closed.status_code == 303
    assert await pool.fetchval("SELECT closed_at IS NOT NULL FROM events WHERE id = $1", event_id)
    return event_id, ana, ben


async def test_a_request_made_at_a_closed_event_still_on_goes_at_once_even_in_her_night(
    new_phone, pool, push, app
):
    event_id, ana, ben = await closed_evening(new_phone, pool, zone_where_it_is(day=False))
    device = await subscribe(ana, push)
    asked = await ben.post(ben.url("request_connect", event_id=event_id, account_id=2))
    assert asked.status_code == 303
    async with running_worker(app, push) as worker:
        await worker.run_once()
    [message] = push.received_for(device)
    assert message.json()["title"] == "Request to connect: “Ben Ode”"


async def test_a_request_retried_at_a_closed_event_still_on_goes_when_the_service_allows(
    new_phone, pool, push, app
):
    # 23:00 where Ana is; the closed event ends in four hours, so it is on when the push
    # service's three hours are up: the retry goes then, not at her 09:00.
    event_id, ana, ben = await closed_evening(new_phone, pool, zone_at_hour(23))
    device = await subscribe(ana, push)
    push.script(device, [THREE_HOURS])
    await ben.post(ben.url("request_connect", event_id=event_id, account_id=2))
    await pool.execute(
        "UPDATE events SET starts_at = now() - interval '3 hours',"
        " ends_at = now() + interval '4 hours'"
    )
    start = datetime.now(UTC)
    async with running_worker(app, push) as worker:
        await worker.run_once()
    assert push.received_for(device) == []
    at = await retried_at(pool)
    assert timedelta(hours=3) <= at - start < timedelta(hours=3, seconds=30)
