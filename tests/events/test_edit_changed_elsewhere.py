"""An event's Edit form left open in another tab: saving it never silently undoes what was
saved since. It is refused (409) with what the event says now, keeping what was typed; saved
again, it replaces that. A form from before it said what it showed is saved as before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.events.test_routes import organizer_with_event
from tests.phone import soup, text_of


def form_sent(response) -> dict[str, str]:
    """What the browser sends for the page's event form, hidden fields too."""
    form = soup(response).select_one("form[action*='/edit']")
    sent = {field["name"]: field.get("value", "") for field in form.select("input[name]")}
    sent["description"] = form.select_one("textarea[name=description]").get_text().strip()
    return sent


async def test_a_stale_edit_tab_is_refused_with_what_the_event_says_now(new_phone, pool):
    olga, event_id = await organizer_with_event(new_phone)
    edit = olga.url("event_edit", event_id=event_id)
    update = olga.url("event_update", event_id=event_id)
    tab_a = form_sent(await olga.get(edit))
    tab_b = form_sent(await olga.get(edit))
    saved_b = await olga.post(update, {**tab_b, "venue": "Hall B (moved!)"})
    assert saved_b.status_code == 303

    # Tab A, still showing the old venue, fixes only the name.
    refused = await olga.post(update, {**tab_a, "name": "Lunch & Learn (fixed)"})
    assert refused.status_code == 409
    said = text_of(refused)
    assert "Not saved: this event was changed in another tab" in said
    assert "Venue: “Hall B (moved!)”" in said
    assert "Event name:" not in said, "only what changed elsewhere is listed"
    row = await pool.fetchrow("SELECT name, venue FROM events WHERE id = $1", event_id)
    assert dict(row) == {"name": "Lunch & Learn", "venue": "Hall B (moved!)"}

    # The form keeps what was typed; fixed and saved again, it is saved.
    again = form_sent(refused)
    assert again["name"] == "Lunch & Learn (fixed)"
    assert again["venue"] == "Library, Room 2"
    assert (await olga.post(update, {**again, "venue": "Hall B (moved!)"})).status_code == 303
    row = await pool.fetchrow("SELECT name, venue FROM events WHERE id = $1", event_id)
    assert dict(row) == {"name": "Lunch & Learn (fixed)", "venue": "Hall B (moved!)"}


async def test_a_time_moved_elsewhere_is_said_as_a_day_and_hour(new_phone, pool):
    olga, event_id = await organizer_with_event(new_phone)
    edit = olga.url("event_edit", event_id=event_id)
    update = olga.url("event_update", event_id=event_id)
    tab_a = form_sent(await olga.get(edit))
    later = datetime.fromisoformat(tab_a["ends_at"]) + timedelta(hours=1)
    await olga.post(update, {**tab_a, "ends_at": later.strftime("%Y-%m-%dT%H:%M")})
    refused = await olga.post(update, {**tab_a, "description": "New agenda"})
    assert refused.status_code == 409
    assert f"Ends: “{later:%a} {later.day} {later:%b %Y}, {later:%H:%M}”" in text_of(refused)
    ends = await pool.fetchval("SELECT ends_at FROM events WHERE id = $1", event_id)
    assert ends == later.replace(tzinfo=UTC)


async def test_the_same_change_in_two_tabs_and_an_old_form_are_saved(new_phone, pool):
    olga, event_id = await organizer_with_event(new_phone)
    edit = olga.url("event_edit", event_id=event_id)
    update = olga.url("event_update", event_id=event_id)
    tab_a = form_sent(await olga.get(edit))
    assert tab_a["was_venue"] == "Library, Room 2"
    assert (await olga.post(update, {**tab_a, "venue": "Room 5"})).status_code == 303
    # The other tab made the same change, and one more: nothing of the first is undone.
    both = {**tab_a, "venue": "Room 5", "name": "Lunch"}
    assert (await olga.post(update, both)).status_code == 303
    # A form from before it sent what it showed (no was_ fields) is saved as it always was.
    old = {name: value for name, value in tab_a.items() if not name.startswith("was_")}
    assert (await olga.post(update, {**old, "venue": "Room 7"})).status_code == 303
    row = await pool.fetchrow("SELECT name, venue FROM events WHERE id = $1", event_id)
    assert dict(row) == {"name": "Lunch & Learn", "venue": "Room 7"}
    # Lines in the description come back from a browser with CR LF: still what was shown.
    await olga.post(update, {**old, "description": "Talks\r\nLunch"})
    shown = form_sent(await olga.get(edit))
    sent = {name: value.replace("\n", "\r\n") for name, value in shown.items()}
    assert (await olga.post(update, {**sent, "name": "Lunch"})).status_code == 303


async def test_a_form_refused_for_a_mistake_still_says_what_it_first_showed(new_phone, pool):
    olga, event_id = await organizer_with_event(new_phone)
    edit = olga.url("event_edit", event_id=event_id)
    update = olga.url("event_update", event_id=event_id)
    tab_a = form_sent(await olga.get(edit))
    await olga.post(update, {**tab_a, "venue": "Hall B"})
    mistake = await olga.post(update, {**tab_a, "name": ""})
    assert mistake.status_code == 422
    fixed = {**form_sent(mistake), "name": "Lunch"}
    assert (await olga.post(update, fixed)).status_code == 409
    assert await pool.fetchval("SELECT venue FROM events WHERE id = $1", event_id) == "Hall B"
