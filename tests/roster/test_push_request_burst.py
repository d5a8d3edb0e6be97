"""A burst of requests to connect (sixty after a talk) is one notification that buzzes once:
a request's push alerts (renotify) only when no request's push went to that same device in
the last two minutes; otherwise it replaces the one shown silently."""

from __future__ import annotations

from tests.events.test_routes import attendee
from tests.reminders import running_worker, subscribe
from tests.roster.test_request_pushes import ana_lives_where
from tests.roster.test_routes import story


def alerts(push, device) -> list[bool]:  # type: ignore[no-untyped-def]
    """Whether each request's push to ``device`` alerts, in the order they came."""
    pushed = [message.json() for message in push.received_for(device)]
    return [each["renotify"] for each in pushed if each["tag"] == "requests"]


async def test_requests_seconds_apart_buzz_once_per_device(new_phone, pool, push, app):
    event_id, ana, ben = await story(new_phone, pool)
    cleo = await attendee(new_phone, pool, event_id, "Cleo Park")
    dev = await attendee(new_phone, pool, event_id, "Dev Rao")
    phone = await subscribe(ana, push, "Phone")
    await ana_lives_where(pool, day=True)
    async with running_worker(app, push) as worker:
        await ben.post(ben.url("request_connect", event_id=event_id, account_id=2))
        await worker.run_once()
        assert alerts(push, phone) == [True]
        # Her laptop gets reminders from now on: nothing was pushed to it yet.
        laptop = await subscribe(ana, push, "Laptop")
        # Seconds later, the next one: on her phone it replaces Ben's silently; on the
        # laptop, the first, it alerts.
        await cleo.post(cleo.url("request_connect", event_id=event_id, account_id=2))
        await worker.run_once()
        assert alerts(push, phone) == [True, False]
        assert alerts(push, laptop) == [True]
        # Three minutes on (as if: the pushes marked sent then), the next one alerts again.
        await pool.execute(
            "UPDATE deliveries SET sent_at = sent_at - interval '3 minutes'"
            " WHERE request_id IS NOT NULL"
        )
        await dev.post(dev.url("request_connect", event_id=event_id, account_id=2))
        await worker.run_once()
    assert alerts(push, phone) == [True, False, True]
    assert alerts(push, laptop) == [True, True]
    last = push.received_for(phone)[-1].json()
    assert last["title"] == "Requests to connect: “Dev Rao” and 2 others"
