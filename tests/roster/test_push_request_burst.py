"""A burst of requests to connect (sixty after a talk) is one notification that buzzes once:
on each device, a request's push alerts (renotify) at most once per two minutes
(notifications.REQUEST_QUIET), however the pushes are batched and whether or not the earlier
ones were marked sent yet; the rest replace the one shown silently. A steady stream buzzes
once every two minutes, not only after two quiet ones. deliveries.claim decides, stamping
push_subscriptions.requests_alerted_at with the database's clock."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from server.followups.notifications import REQUEST_ALERTS_WITHIN, REQUEST_QUIET
from server.local_services.push_service import BrowserSubscription, LocalPushService
from tests.events.test_routes import attendee
from tests.phone import Phone
from tests.reminders import running_worker, subscribe
from tests.roster.test_request_pushes import ana_lives_where
from tests.roster.test_routes import story

MARGIN = timedelta(seconds=10)  # either side of a boundary: far from it, whenever this runs


def alerts(push, device) -> list[bool]:  # type: ignore[no-untyped-def]
    """Whether each request's push to ``device`` alerts, in the order they came."""
    pushed = [message.json() for message in push.received_for(device)]
    return [each["renotify"] for each in pushed if each["tag"] == "requests"]


async def alerted_ago(pool, device: str, ago: timedelta) -> None:  # type: ignore[no-untyped-def]
    """As if the last alert on her device ``device`` was ``ago`` before now."""
    await pool.execute(
        "UPDATE push_subscriptions SET requests_alerted_at = now() - $1::interval"
        " WHERE device = $2",
        ago,
        device,
    )


async def ana_in_her_day(
    new_phone: Any, pool: Any, push: LocalPushService, *names: str
) -> tuple[int, Phone, BrowserSubscription, list[Phone]]:
    """An event with Ana, Ben and ``names`` attending, in Ana's daytime, her phone subscribed
    ("Phone"): the event, Ana, her phone, and those who can ask her (Ben, then ``names``)."""
    event_id, ana, ben = await story(new_phone, pool)
    others = [await attendee(new_phone, pool, event_id, name) for name in names]
    phone = await subscribe(ana, push, "Phone")
    await ana_lives_where(pool, day=True)
    return event_id, ana, phone, [ben, *others]


async def asks(phone, event_id: int) -> None:  # type: ignore[no-untyped-def]
    """``phone`` asks Ana (account 2) to connect."""
    response = await phone.post(phone.url("request_connect", event_id=event_id, account_id=2))
    assert response.status_code == 303


@pytest.mark.parametrize(("askers", "batch"), [(2, 100), (3, 100), (3, 1)])
async def test_requests_queued_together_buzz_once_per_device(
    new_phone, pool, push, app, askers, batch
):
    """All asked before the worker looks: in one claim (batch 100), or in claims made ahead of
    sends not yet marked sent (batch 1: the drain holds three)."""
    event_id, ana, phone, people = await ana_in_her_day(
        new_phone, pool, push, "Cleo Park", "Dev Rao"
    )
    laptop = await subscribe(ana, push, "Laptop")
    for phone_of_asker in people[:askers]:
        await asks(phone_of_asker, event_id)
    async with running_worker(app, push, batch=batch, concurrency=1) as worker:
        await worker.run_once()
    for device in (phone, laptop):
        assert sorted(alerts(push, device)) == [False] * (askers - 1) + [True]


async def test_a_request_after_the_quiet_spell_alerts_again(new_phone, pool, push, app):
    event_id, ana, phone, [ben, cleo, dev] = await ana_in_her_day(
        new_phone, pool, push, "Cleo Park", "Dev Rao"
    )
    async with running_worker(app, push) as worker:
        await asks(ben, event_id)
        await worker.run_once()
        assert alerts(push, phone) == [True]
        # Her laptop gets reminders from now on: nothing was pushed to it yet.
        laptop = await subscribe(ana, push, "Laptop")
        # Seconds later, the next one: on her phone it replaces Ben's silently; on the
        # laptop, the first, it alerts.
        await asks(cleo, event_id)
        await worker.run_once()
        assert alerts(push, phone) == [True, False]
        assert alerts(push, laptop) == [True]
        # The quiet spell over on her phone (as if: its last alert that long ago), the next
        # one alerts there again; on the laptop it alerted just now.
        await alerted_ago(pool, "Phone", REQUEST_QUIET + MARGIN)
        await asks(dev, event_id)
        await worker.run_once()
    assert alerts(push, phone) == [True, False, True]
    assert alerts(push, laptop) == [True, False]
    last = push.received_for(phone)[-1].json()
    assert last["title"] == "Requests to connect: “Dev Rao” and 2 others"


async def test_a_steady_stream_buzzes_once_every_two_minutes(new_phone, pool, push, app):
    """One asks every minute or so: not "after two quiet minutes", which never come."""
    event_id, _, phone, [ben, cleo, dev] = await ana_in_her_day(
        new_phone, pool, push, "Cleo Park", "Dev Rao"
    )
    async with running_worker(app, push) as worker:
        await asks(ben, event_id)
        await worker.run_once()
        await asks(cleo, event_id)
        await worker.run_once()
        assert alerts(push, phone) == [True, False]
        # As if Ben's alerted three minutes ago and Cleo's went, silently, a minute ago.
        await alerted_ago(pool, "Phone", timedelta(minutes=3))
        await pool.execute(
            "UPDATE deliveries SET sent_at = now() - interval '1 minute'"
            " WHERE request_id = (SELECT max(id) FROM connect_requests)"
        )
        await asks(dev, event_id)
        await worker.run_once()
    assert alerts(push, phone) == [True, False, True]


async def test_the_database_holds_the_same_spells_as_notifications(new_phone, pool, push, app):
    """deliveries.claim writes REQUEST_ALERTS_WITHIN and REQUEST_QUIET as intervals of its
    own: just inside and just outside each, as notifications.py says."""
    event_id, _, phone, [ben, cleo, dev, eve] = await ana_in_her_day(
        new_phone, pool, push, "Cleo Park", "Dev Rao", "Eve Moss"
    )
    made_ago = "UPDATE connect_requests SET created_at = now() - $1::interval WHERE id = $2"
    newest = "SELECT max(id) FROM connect_requests"
    async with running_worker(app, push) as worker:
        # Retried, or held for her morning, past REQUEST_ALERTS_WITHIN: silent, and it uses
        # up nothing.
        await asks(ben, event_id)
        await pool.execute(made_ago, REQUEST_ALERTS_WITHIN + MARGIN, await pool.fetchval(newest))
        await worker.run_once()
        assert alerts(push, phone) == [False]
        await asks(cleo, event_id)
        await pool.execute(made_ago, REQUEST_ALERTS_WITHIN - MARGIN, await pool.fetchval(newest))
        await worker.run_once()
        assert alerts(push, phone) == [False, True]
        # Within REQUEST_QUIET of that alert: silent; past it: alerts.
        await alerted_ago(pool, "Phone", REQUEST_QUIET - MARGIN)
        await asks(dev, event_id)
        await worker.run_once()
        assert alerts(push, phone) == [False, True, False]
        await alerted_ago(pool, "Phone", REQUEST_QUIET + MARGIN)
        await asks(eve, event_id)
        await worker.run_once()
    assert alerts(push, phone) == [False, True, False, True]


async def test_a_request_withdrawn_before_its_push_uses_up_no_alert(new_phone, pool, push, app):
    """Ben asks and withdraws, Cleo asks, before the worker looks: Ben's push is skipped,
    and Cleo's, the one she sees, alerts."""
    event_id, _, phone, [ben, cleo] = await ana_in_her_day(new_phone, pool, push, "Cleo Park")
    await asks(ben, event_id)
    request_id = await pool.fetchval("SELECT id FROM connect_requests")
    await ben.post(ben.url("request_withdraw", request_id=request_id))
    await asks(cleo, event_id)
    async with running_worker(app, push) as worker:
        await worker.run_once()
    assert alerts(push, phone) == [True]
    assert push.received_for(phone)[0].json()["title"] == "Request to connect: “Cleo Park”"
