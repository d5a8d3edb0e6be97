"""An event whose organizer deleted their account stays, closed, for the people who were
there, and goes once none of them has it; the hashes keeping those the organizer removed out
of it go with the organizer (before: both were kept for good)."""

from __future__ import annotations

from server.privacy.retention import Retention
from tests.events.test_joining import remove
from tests.events.test_routes import attendee, organizer_with_event
from tests.mailing import confirm_addresses
from tests.phone import text_of


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
