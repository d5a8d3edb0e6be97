"""Someone the organizer removes can't accept a request sent to them at the event: it is
withdrawn with the Remove, as those they sent are, so it leaves their Requests, its Accept
finds nothing waiting (no contact made, so no email or phone handed over), and its push, still
queued, never goes."""

from __future__ import annotations

from tests.events.test_routes import attendee, organizer_with_event
from tests.phone import text_of
from tests.reminders import running_worker, subscribe


async def test_a_removed_attendee_cannot_accept_a_request_made_to_them(new_phone, pool, push, app):
    olga, event_id = await organizer_with_event(new_phone)
    ana = await attendee(new_phone, pool, event_id, "Ana Silva", phone="+1 415 555 0101")
    ben = await attendee(new_phone, pool, event_id, "Ben Ode")
    dee = await attendee(new_phone, pool, event_id, "Dee Moss")
    names = dict(await pool.fetch("SELECT name, account_id FROM cards"))
    device = await subscribe(ben, push)
    for to in ("Ben Ode", "Dee Moss"):
        asked = await ana.post(ana.url("request_connect", event_id=event_id, account_id=names[to]))
        assert asked.status_code == 303, asked.text
    request_id = await pool.fetchval(
        "SELECT id FROM connect_requests WHERE to_id = $1", names["Ben Ode"]
    )
    assert "Ana Silva" in text_of(await ben.get(ben.url("requests")))

    removed = await olga.post(
        olga.url("event_remove_attendee", event_id=event_id, account_id=names["Ben Ode"]), {}
    )
    assert removed.status_code == 303

    assert "Ana Silva" not in text_of(await ben.get(ben.url("requests")))
    # Only those to or from him go: hers to Dee waits still.
    assert "Ana Silva" in text_of(await dee.get(dee.url("requests")))
    accept = await ben.post(ben.url("request_decide", request_id=request_id, decision="accept"))
    assert accept.status_code in (404, 410)
    assert "That request is not waiting for you." in text_of(accept)
    assert await pool.fetchval("SELECT count(*) FROM contacts") == 0
    assert "ana@example.com" not in text_of(await ben.get(ben.url("contacts")))
    # Her request's push, queued for his phone while the event is on, is not sent.
    async with running_worker(app, push) as worker:
        await worker.run_once()
    assert push.received_for(device) == []
    assert await pool.fetchval(
        "SELECT status FROM deliveries WHERE request_id = $1", request_id
    ) == ("skipped")
