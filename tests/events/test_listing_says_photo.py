"""The event page's "Show me in the list of people here" says what others see there, the photo
too: the roster shows it (as the create form's box and Privacy say)."""

from __future__ import annotations

from tests.events.test_routes import attendee, organizer_with_event
from tests.phone import soup, words


async def test_the_listing_switch_names_everything_the_roster_shows(new_phone, pool):
    _, event_id = await organizer_with_event(new_phone)
    ana = await attendee(new_phone, pool, event_id, "Ana Silva")
    page = await ana.get(ana.url("event", event_id=event_id))
    switch = words(soup(page).select_one("#event-listing label.switch"))
    for shown in ("name", "photo", "role", "company", "looking for", "can help with"):
        assert shown in switch, shown
    assert "never my email or phone" in switch
