"""Olga removes Ana from her event at the moment Ana asks Ben to connect (the page checked
Ana was there; the Remove lands before the request is made): no request is left waiting for
Ben from someone out of the event, and Ana is told what anyone removed is told. The same
when it is Ben, the one asked, who is removed. And the other way round: the request is being
made as the Remove comes (on another process); the Remove waits for it, and withdraws it."""

from __future__ import annotations

import asyncio

import pytest

from server.roster import asking
from tests.events.test_routes import attendee, organizer_with_event
from tests.phone import text_of
from tests.waiting import until_waiting_for_lock

WAITING = "SELECT count(*) FROM connect_requests WHERE status = 'pending' AND withdrawn_at IS NULL"


@pytest.mark.parametrize(
    ("removed", "said"),
    [
        ("Ana Silva", "The organizer removed you from this event"),
        ("Ben Ode", "That person is not on this event's list."),
    ],
)
async def test_a_request_made_during_a_remove_is_not_left_waiting(
    new_phone, pool, app, monkeypatch, removed, said
):
    _, event_id = await organizer_with_event(new_phone)
    ana = await attendee(new_phone, pool, event_id, "Ana Silva")
    await attendee(new_phone, pool, event_id, "Ben Ode")
    names = dict(await pool.fetch("SELECT name, account_id FROM cards"))
    olga_id, ben_id = names["Olga Organizer"], names["Ben Ode"]
    take = asking.take

    async def removed_meanwhile(*args, **kwargs):
        # Olga's Remove, from her phone, lands while Ana's request is on its way.
        await app.state.sql.run(
            pool,
            "events.remove_attendee",
            event_id=event_id,
            account_id=names[removed],
            organizer_id=olga_id,
        )
        await take(*args, **kwargs)

    monkeypatch.setattr(asking, "take", removed_meanwhile)
    answer = await ana.post(ana.url("request_connect", event_id=event_id, account_id=ben_id))
    assert answer.status_code == 404
    assert said in text_of(answer)
    assert await pool.fetchval(WAITING) == 0
    assert await pool.fetchval("SELECT count(*) FROM deliveries") == 0


async def test_a_request_being_made_as_its_sender_is_removed_is_withdrawn(new_phone, pool, app):
    olga, event_id = await organizer_with_event(new_phone)
    await attendee(new_phone, pool, event_id, "Ana Silva")
    await attendee(new_phone, pool, event_id, "Ben Ode")
    names = dict(await pool.fetch("SELECT name, account_id FROM cards"))
    async with pool.acquire() as asking:
        request = asking.transaction()
        await request.start()
        # Ana's request to Ben is being made (its statement done, not yet committed)...
        assert await app.state.sql.run(
            asking,
            "requests.create",
            event_id=event_id,
            from_id=names["Ana Silva"],
            to_id=names["Ben Ode"],
        )
        # ...as Olga removes Ana.
        removing = asyncio.create_task(
            olga.post(
                olga.url("event_remove_attendee", event_id=event_id, account_id=names["Ana Silva"])
            )
        )
        await until_waiting_for_lock(
            pool, "the Remove waiting for the request", held_by=asking.get_server_pid()
        )
        await request.commit()
        assert (await removing).status_code == 303
    assert await pool.fetchval(WAITING) == 0, "Ben is not left a request from someone removed"
