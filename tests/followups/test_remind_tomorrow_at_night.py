""" "Remind me tomorrow" pressed in the small hours: until 05:00 the night belongs to the day
before (reminder_day() in sql/logic.sql), so it is due at 09:00 the same calendar day, and the
page says "this morning at 09:00", not "today at 09:00", which read as the day just ending and
denied the button. In the day, it is "tomorrow at 09:00" as ever."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo, available_timezones

import pytest

from tests.mailing import confirm_addresses
from tests.phone import soup, text_of, words
from tests.reminders import swapped, zone_where_it_is


def zone_in_the_small_hours() -> str:
    """A place's time zone where it is now between 01:00 and 04:00: an hour from midnight and
    from 05:00 either side, so the test reads the same from its start to its end."""
    places = (tz for tz in available_timezones() if "/" in tz and not tz.startswith("Etc/"))
    for tz in sorted(places):
        if 1 <= datetime.now(ZoneInfo(tz)).hour < 4:
            return tz
    raise AssertionError("no zone where it is 01:00 to 04:00 now")


@pytest.mark.parametrize("night", [True, False], ids=["night", "day"])
async def test_remind_me_tomorrow_says_the_morning_it_chose(new_phone, pool, night):
    zone = zone_in_the_small_hours() if night else zone_where_it_is(day=True)
    dana, _ = await swapped(new_phone)
    await confirm_addresses(pool, "dana@example.com")  # a reminder can reach her
    await pool.execute("UPDATE accounts SET time_zone = $1", zone)
    contact_id = await pool.fetchval("SELECT id FROM contacts WHERE owner_id = 1")
    change = dana.url("followup_change", contact_id=contact_id)
    said = "this morning at 09:00" if night else "tomorrow at 09:00"
    day = datetime.now(ZoneInfo(zone)).date()
    if not night:
        day = day.fromordinal(day.toordinal() + 1)
    nine = datetime.combine(day, time(9), ZoneInfo(zone)).astimezone(UTC)

    # Done, then "Remind me tomorrow" (the button a follow-up done or turned off offers).
    assert (await dana.post(change, {"action": "done"})).status_code == 303
    done = soup(await dana.get(dana.url("contact", contact_id=contact_id)))
    assert done.find("button", string="Remind me tomorrow") is not None
    pressed = await dana.post(change, {"action": "snooze", "days": "1"}, htmx=True)
    assert pressed.status_code == 200
    state = words(soup(pressed).select_one(".followup-state"))
    assert state == f"Snoozed until {said}"
    assert await pool.fetchval("SELECT due_at FROM followups WHERE owner_id = 1") == nine

    # "Remind me again: Tomorrow", on the follow-up open again: the same morning, said alike.
    again = await dana.post(change, {"action": "snooze", "days": "1"}, htmx=True)
    assert words(soup(again).select_one(".followup-state")) == f"Snoozed until {said}"

    # The contact's page and the list of follow-ups say it as well, never "today".
    page = text_of(await dana.get(dana.url("contact", contact_id=contact_id)))
    listed = text_of(await dana.get(dana.url("followups")))
    for shown in (page, listed):
        assert f"Snoozed until {said}" in shown
        assert "today at 09:00" not in shown
