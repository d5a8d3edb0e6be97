"""A time zone typed in a form is a place (what its suggestions offer), not an abbreviation
or offset that keeps other hours: EST is an hour off New York's clocks all summer, and
Etc/GMT+3 is three hours behind UTC."""

from __future__ import annotations

import pytest

from tests.events.test_routes import PLAIN, event_form
from tests.phone import soup

JULY_LUNCH = {"starts_at": "2027-07-06T12:00", "ends_at": "2027-07-06T13:00"}


async def organizer(new_phone):
    phone = await new_phone()
    await phone.make_card(**PLAIN, name="Olga Organizer", email="olga@example.com")
    return phone


@pytest.mark.parametrize("typed", ["EST", "mst", "HST", "Etc/GMT+3", "etc/gmt-2", "CET"])
async def test_an_abbreviation_or_offset_is_refused_and_a_city_asked_for(new_phone, pool, typed):
    olga = await organizer(new_phone)
    response = await olga.post(olga.url("event_create"), event_form(time_zone=typed, **JULY_LUNCH))
    assert response.status_code == 422
    page = soup(response)
    assert "Type a city, like London" in page.select_one("#everr-time_zone").get_text()
    assert page.find("input", id="ev-time_zone")["value"] == typed  # kept as typed
    assert page.find("input", id="ev-name")["value"] == "Lunch & Learn"
    assert await pool.fetchval("SELECT count(*) FROM events") == 0


async def test_the_refusal_says_why_an_abbreviation_is_not_enough(new_phone):
    olga = await organizer(new_phone)
    response = await olga.post(olga.url("event_create"), event_form(time_zone="EST"))
    said = soup(response).select_one("#everr-time_zone").get_text()
    assert "EST is an hour off New York's all summer" in said


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("America/New_York", "America/New_York"), ("new york", "America/New_York"), ("UTC", "UTC")],
)
async def test_a_city_or_utc_is_taken(new_phone, pool, typed, stored):
    olga = await organizer(new_phone)
    response = await olga.post(olga.url("event_create"), event_form(time_zone=typed, **JULY_LUNCH))
    assert response.status_code == 303
    assert await pool.fetchval("SELECT time_zone FROM events") == stored


async def test_the_zone_a_form_was_filled_with_passes_unchanged(new_phone, pool):
    # A browser set to a fixed offset names it (Intl says "Etc/GMT-3"): the account keeps it,
    # and the forms it fills are not refused for it.
    olga = await organizer(new_phone)
    await pool.execute("UPDATE accounts SET time_zone = 'Etc/GMT-3'")
    new = soup(await olga.get(olga.url("event_new")))
    assert new.find("input", id="ev-time_zone")["value"] == "Etc/GMT-3"
    response = await olga.post(olga.url("event_create"), event_form(time_zone="Etc/GMT-3"))
    assert response.status_code == 303
    event_id = int(response.headers["location"].rsplit("/", 1)[1])
    edit = await olga.post(
        olga.url("event_update", event_id=event_id),
        event_form(name="Renamed", time_zone="Etc/GMT-3"),
    )
    assert edit.status_code == 303
    assert await pool.fetchval("SELECT time_zone FROM events") == "Etc/GMT-3"
    # Typed anew, it must be a place.
    again = await olga.post(
        olga.url("event_update", event_id=event_id), event_form(time_zone="Etc/GMT-4")
    )
    assert again.status_code == 422


async def test_settings_ask_for_a_city_too_and_keep_the_browsers_zone(new_phone, pool):
    olga = await organizer(new_phone)
    form = {"time_zone": "EST", "followup_timing": "next_morning", "reminders_by": ""}
    typed = await olga.post(olga.url("settings_save"), form)
    assert typed.status_code == 422
    assert "Type a city, like London" in soup(typed).get_text()
    assert await pool.fetchval("SELECT time_zone FROM accounts") != "EST"
    await pool.execute("UPDATE accounts SET time_zone = 'Etc/GMT-3'")
    kept = await olga.post(olga.url("settings_save"), {**form, "time_zone": "Etc/GMT-3"})
    assert kept.status_code == 303
    city = await olga.post(olga.url("settings_save"), {**form, "time_zone": "new york"})
    assert city.status_code == 303
    assert await pool.fetchval("SELECT time_zone FROM accounts") == "America/New_York"
