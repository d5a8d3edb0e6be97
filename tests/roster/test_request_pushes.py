"""Requests to connect on the phone of the person asked: at a waking hour of theirs, one
notification for them all, none for two who swapped since, and one after asking again."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.events.test_routes import attendee
from tests.phone import soup
from tests.reminders import running_worker, subscribe, zone_where_it_is
from tests.roster.test_routes import story


async def ana_lives_where(pool, day: bool) -> str:
    zone = zone_where_it_is(day=day)
    await pool.execute(
        "UPDATE accounts SET time_zone = $1"
        " WHERE id = (SELECT account_id FROM cards WHERE name = 'Ana Silva')",
        zone,
    )
    return zone


async def test_a_request_made_during_the_event_goes_at_once_even_in_her_night(
    new_phone, pool, push, app
):
    """An evening mixer running late where she lives: the request is for the room, now."""
    event_id, ana, ben = await story(new_phone, pool)
    device = await subscribe(ana, push)
    await ana_lives_where(pool, day=False)
    await ben.post(ben.url("request_connect", event_id=event_id, account_id=2))
    async with running_worker(app, push) as worker:
        await worker.run_once()
    [message] = push.received_for(device)
    assert message.json()["title"] == "Request to connect: “Ben Ode”"


async def test_a_request_made_in_her_night_waits_for_her_morning(new_phone, pool, push, app):
    """Days after the event (its list stays open), from someone elsewhere in the world."""
    event_id, ana, ben = await story(new_phone, pool)
    device = await subscribe(ana, push)
    night = await ana_lives_where(pool, day=False)
    await pool.execute(
        "UPDATE events SET starts_at = now() - interval '3 days',"
        " ends_at = now() - interval '3 days' + interval '4 hours'"
    )
    await ben.post(ben.url("request_connect", event_id=event_id, account_id=2))
    async with running_worker(app, push) as worker:
        await worker.run_once()
        assert requests_pushed(push, device) == []
        local = datetime.now(ZoneInfo(night))
        morning = local.replace(hour=9, minute=0, second=0, microsecond=0)
        if morning <= local:
            morning += timedelta(days=1)
        held = "SELECT next_attempt_at FROM deliveries WHERE request_id IS NOT NULL"
        assert await pool.fetchval(held) == morning
        # The morning comes, hours after the request was made.
        await pool.execute("UPDATE deliveries SET next_attempt_at = now()")
        await pool.execute("UPDATE connect_requests SET created_at = now() - interval '8 hours'")
        await worker.run_once()
    assert requests_pushed(push, device) == ["Request to connect: “Ben Ode”"]
    # Held for her morning, it replaces one still shown silently: a night's requests all go
    # at her 09:00, and they must not buzz one by one.
    [held] = [m.json() for m in push.received_for(device) if "connect" in m.json()["title"]]
    assert held["tag"] == "requests" and held["renotify"] is False


def requests_pushed(push, device) -> list[str]:  # type: ignore[no-untyped-def]
    """The titles of the pushes about requests (the event's digest of who was there goes
    too, after an event long over)."""
    return [m.json()["title"] for m in push.received_for(device) if "connect" in m.json()["title"]]


async def test_a_request_made_in_her_day_goes_at_once(new_phone, pool, push, app):
    event_id, ana, ben = await story(new_phone, pool)
    device = await subscribe(ana, push)
    await ana_lives_where(pool, day=True)
    await ben.post(ben.url("request_connect", event_id=event_id, account_id=2))
    async with running_worker(app, push) as worker:
        await worker.run_once()
    assert len(push.received_for(device)) == 1


async def test_requests_share_one_notification_that_counts_them(new_phone, pool, push, app):
    event_id, ana, ben = await story(new_phone, pool)
    cleo = await attendee(new_phone, pool, event_id, "Cleo Park")
    device = await subscribe(ana, push)
    await ana_lives_where(pool, day=True)
    async with running_worker(app, push) as worker:
        await ben.post(ben.url("request_connect", event_id=event_id, account_id=2))
        await worker.run_once()
        await cleo.post(cleo.url("request_connect", event_id=event_id, account_id=2))
        await worker.run_once()
    first, second = (m.json() for m in push.received_for(device))
    assert first["title"] == "Request to connect: “Ben Ode”"
    assert second["title"] == "Requests to connect: “Cleo Park” and 1 other"
    assert second["body"] == "2 requests to connect are waiting. Open Reachout to answer them."
    # The second replaces the first on her screen, rather than a stack of them; made just
    # now, at the event, but seconds after the first went to this phone, it replaces it
    # silently (tests/roster/test_push_request_burst.py): a burst buzzes once.
    assert first["tag"] == second["tag"]
    assert first["renotify"] is True and second["renotify"] is False


async def test_a_request_between_two_who_swapped_since_is_not_waiting(new_phone, pool, push, app):
    event_id, ana, ben = await story(new_phone, pool)
    device = await subscribe(ana, push)
    await ana_lives_where(pool, day=True)
    await ben.post(ben.url("request_connect", event_id=event_id, account_id=2))
    # Before the push goes, they meet at the coffee and swap by Ana's QR code.
    assert (await ben.post((await ana.share_link()) + "/swap")).status_code == 303
    page = soup(await ana.get(ana.url("requests")))
    assert page.select("#request-list > li") == []
    assert page.select(".tabs .badge") == [], "nothing waits for her"
    # His side already read it so: not among what he sent.
    assert soup(await ben.get(ben.url("requests"))).select("#sent-list li") == []
    async with running_worker(app, push) as worker:
        await worker.run_once()
    assert push.received_for(device) == []


async def test_asked_again_after_withdrawing_before_the_push_it_is_pushed(
    new_phone, pool, push, app
):
    event_id, ana, ben = await story(new_phone, pool)
    device = await subscribe(ana, push)
    await ana_lives_where(pool, day=True)
    ask = ben.url("request_connect", event_id=event_id, account_id=2)
    await ben.post(ask)
    request_id = await pool.fetchval("SELECT id FROM connect_requests")
    await ben.post(ben.url("request_withdraw", request_id=request_id))
    async with running_worker(app, push) as worker:
        await worker.run_once()  # its push is skipped: withdrawn
        assert push.received_for(device) == []
        await ben.post(ask)
        await worker.run_once()
        [message] = push.received_for(device)
        assert message.json()["title"] == "Request to connect: “Ben Ode”"
        # Withdrawn and asked again once more, after it went: not a second push.
        await ben.post(ben.url("request_withdraw", request_id=request_id))
        await ben.post(ask)
        await worker.run_once()
    assert len(push.received_for(device)) == 1
