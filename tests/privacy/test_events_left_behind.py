"""An event whose organizer deleted their account stays, closed, for the people who were
there, and goes once none of them has it; the hashes keeping those the organizer removed out
of it go with the organizer (before: both were kept for good)."""

from __future__ import annotations

from server.privacy.retention import Retention
from tests.events.test_joining import remove
from tests.events.test_routes import attendee, organizer_with_event
from tests.mailing import confirm_addresses
from tests.phone import text_of
from tests.roster.test_routes import story


async def test_an_event_without_its_organizer_goes_once_nobody_has_it(new_phone, pool, app):
    olga, event_id = await organizer_with_event(new_phone, name="Harbour Mixer")
    dana = await attendee(new_phone, pool, event_id, "Dana Lee")
    await attendee(new_phone, pool, event_id, "Ben Ode")
    await attendee(new_phone, pool, event_id, "Mia Chen")
    await confirm_addresses(pool, "mia@example.com")
    ids = dict(await pool.fetch("SELECT name, account_id FROM cards"))
    assert (await remove(olga, event_id, ids["Mia Chen"])).status_code == 303
    # Dana meets Lou there, who has no app: their contact says where they met.
    typed = await dana.post(dana.url("tap_guest"), {"name": "Lou Park", "email": "lou@x.org"})
    assert typed.status_code in (200, 303), typed.text
    retention = Retention(pool, app.state.sql, app.state.settings)

    async def still_there() -> bool:
        await retention.run_once()
        return bool(await pool.fetchval("SELECT count(*) FROM events WHERE id = $1", event_id))

    async def removal_hashes() -> int:
        return await pool.fetchval(
            "SELECT count(*) FROM event_removed_addresses WHERE event_id = $1", event_id
        )

    assert await removal_hashes() == 1
    assert await pool.fetchval("SELECT delete_account($1)", ids["Olga Organizer"])
    # Closed with nobody in charge, nobody joins: Mia's hash has nothing left to keep out.
    assert await removal_hashes() == 0
    assert await still_there()
    assert "Harbour Mixer" in text_of(await dana.get(dana.url("events")))

    left = await dana.post(dana.url("event_leave", event_id=event_id))
    assert left.status_code in (200, 303), left.text
    assert await still_there(), "Ben still has it among his events"
    assert await pool.fetchval("SELECT delete_account($1)", ids["Ben Ode"])
    assert await still_there(), "Dana's contact with Lou says they met there"

    lou_row = await pool.fetchval(
        "SELECT id FROM contacts WHERE owner_id = $1 AND event_id = $2", ids["Dana Lee"], event_id
    )
    assert (await dana.post(dana.url("contact_remove", contact_id=lou_row))).status_code < 400
    assert await still_there(), "Undo would bring back where they met"
    await pool.execute("UPDATE contact_removals SET undo_until = now() - interval '1 second'")
    assert not await still_there()


async def test_a_request_waiting_for_an_answer_keeps_the_event(new_phone, pool, app):
    # Ben asks Ana to connect at the event; its organizer deletes their account, and both
    # leave. The request still waits on Ana's Requests: the event it names stays with it.
    event_id, ana, ben = await story(new_phone, pool)
    asked = await ben.post(ben.url("request_connect", event_id=event_id, account_id=2))
    assert asked.status_code == 303, asked.text
    organizer = await pool.fetchval("SELECT organizer_id FROM events WHERE id = $1", event_id)
    assert await pool.fetchval("SELECT delete_account($1)", organizer)
    for phone in (ana, ben):
        left = await phone.post(phone.url("event_leave", event_id=event_id))
        assert left.status_code in (200, 303), left.text
    retention = Retention(pool, app.state.sql, app.state.settings)
    await retention.run_once()
    assert "Ben Ode" in text_of(await ana.get(ana.url("requests")))
    assert await pool.fetchval("SELECT count(*) FROM events WHERE id = $1", event_id) == 1

    # Once the request goes (answered, withdrawn and its time kept run out), so does the event.
    await pool.execute("DELETE FROM connect_requests")
    await retention.run_once()
    assert await pool.fetchval("SELECT count(*) FROM events WHERE id = $1", event_id) == 0
