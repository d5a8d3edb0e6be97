"""An event whose zone is a fixed offset a browser named (Intl says "Etc/GMT-3", kept as it
came) says whose hours they are as the offset really is: Etc/GMT-3 is three hours ahead of
UTC (POSIX signs are reversed), so "(UTC+3)", never "(GMT-3 time)"."""

from __future__ import annotations

import pytest

from tests.events.test_routes import attendee, join_code, organizer_with_event
from tests.phone import text_of


@pytest.mark.parametrize(
    ("zone", "said"), [("Etc/GMT-3", "(UTC+3)"), ("Etc/GMT+5", "(UTC-5)"), ("Etc/UTC", "(UTC)")]
)
async def test_a_fixed_offset_is_said_as_it_is(new_phone, pool, zone, said):
    _, event_id = await organizer_with_event(new_phone)
    await pool.execute("UPDATE events SET time_zone = $1", zone)
    ben = await attendee(new_phone, pool, event_id, "Ben Ode")
    await pool.execute(
        "UPDATE accounts SET time_zone = 'America/Chicago'"
        " WHERE id = (SELECT account_id FROM cards WHERE name = 'Ben Ode')"
    )
    for page in (ben.url("event", event_id=event_id), ben.url("events")):
        shown = text_of(await ben.get(page))
        assert said in shown
        assert "GMT" not in shown


async def test_joining_not_open_yet_says_the_offset_as_it_is(new_phone, pool):
    """Joining opens a day before: a phone too early is told when, in the event's own hours."""
    _, event_id = await organizer_with_event(new_phone)
    await pool.execute(
        "UPDATE events SET time_zone = 'Etc/GMT-3', starts_at = now() + interval '3 days',"
        " ends_at = now() + interval '3 days 2 hours'"
    )
    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email="mia@example.com")
    page = await mia.get(mia.url("join_event", code=await join_code(pool, event_id)))
    assert page.status_code == 403
    shown = text_of(page)
    assert "Joining Lunch & Learn opens on" in shown and "(UTC+3)" in shown
    assert "GMT" not in shown
