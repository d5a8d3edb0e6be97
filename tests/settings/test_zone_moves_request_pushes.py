"""A new time zone in Settings moves the push of a request to connect held for her morning
with her, as it moves her digest (test_zone_moves_queued): it comes at the new zone's waking
hour, not at 09:00 where she lived before (the small hours where she is now), and at once
where it is day."""

from __future__ import annotations

from datetime import timedelta

from tests.followups.test_flood import zone_where_it_is
from tests.reminders import running_worker, subscribe
from tests.roster.test_request_pushes import requests_pushed
from tests.roster.test_routes import story
from tests.settings.test_zone_moves_queued import at_nine_in, moves_to

HELD = "SELECT next_attempt_at FROM deliveries WHERE request_id IS NOT NULL"


async def request_held_for_her_morning(new_phone, pool, push):
    """Ben asks Ana to connect days after their event (its list stays open), at 03:00 where
    she lives: its push waits for 09:00 there. Returns Ana, her phone as the push service
    knows it, and her zone."""
    event_id, ana, ben = await story(new_phone, pool)
    device = await subscribe(ana, push)
    zone = zone_where_it_is(3)
    await pool.execute(
        "UPDATE accounts SET time_zone = $1"
        " WHERE id = (SELECT account_id FROM cards WHERE name = 'Ana Silva')",
        zone,
    )
    await pool.execute(
        "UPDATE events SET starts_at = now() - interval '3 days',"
        " ends_at = now() - interval '3 days' + interval '4 hours'"
    )
    asked = await ben.post(ben.url("request_connect", event_id=event_id, account_id=2))
    assert asked.status_code == 303
    assert at_nine_in(zone, await pool.fetchval(HELD), within=timedelta(hours=7))
    return ana, device


async def test_a_request_held_for_her_morning_waits_for_it_where_she_lives_now(
    new_phone, pool, app, push
):
    ana, device = await request_held_for_her_morning(new_phone, pool, push)
    # She moves to where it is 23:00: 09:00 where she was is 05:00 there.
    new_zone = zone_where_it_is(23)
    await moves_to(ana, new_zone, reminders_by="")
    assert at_nine_in(new_zone, await pool.fetchval(HELD), within=timedelta(hours=11))
    # Nothing wakes her tonight.
    async with running_worker(app, push) as worker:
        await worker.run_once()
    assert requests_pushed(push, device) == []


async def test_a_request_held_for_her_morning_goes_at_once_where_it_is_day(
    new_phone, pool, app, push
):
    ana, device = await request_held_for_her_morning(new_phone, pool, push)
    await moves_to(ana, zone_where_it_is(13), reminders_by="")
    async with running_worker(app, push) as worker:
        await worker.run_once()
    assert requests_pushed(push, device) == ["Request to connect: “Ben Ode”"]
