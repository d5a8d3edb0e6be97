"""An event whose zone is a fixed offset a browser named (Intl says "Etc/GMT-3", kept as it
came) says whose hours they are as the offset really is: Etc/GMT-3 is three hours ahead of
UTC (POSIX signs are reversed), so "(UTC+3)", never "(GMT-3 time)"."""

from __future__ import annotations

import pytest

from tests.events.test_routes import attendee, organizer_with_event
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
