"""Roster search as you type, said to a screen reader: each answer's count ("1 person", "No
matches.") in one status line outside the list htmx replaces, brought out of band, as
Contacts does (#contact-count)."""

from __future__ import annotations

from tests.events.test_routes import attendee, organizer_with_event
from tests.phone import soup

LINE = "#people-count[role=status]"


async def test_each_search_answer_brings_its_count_to_the_status_line(new_phone, pool):
    _, event_id = await organizer_with_event(new_phone)
    await attendee(new_phone, pool, event_id, "Dana Lee")
    await attendee(new_phone, pool, event_id, "Dan Ode")
    ben = await attendee(new_phone, pool, event_id, "Ben Ode")
    url = ben.url("event_people", event_id=event_id)

    # The page: the line is there, outside the list, and says nothing before a search.
    page = soup(await ben.get(url))
    line = page.select_one(LINE)
    assert line is not None and line.get_text() == ""
    assert not line.has_attr("hx-swap-oob")
    assert page.select_one(f"#people-list {LINE}") is None

    async def said(typed: str) -> str:
        answer = soup(await ben.get(url, params={"q": typed}, headers={"HX-Request": "true"}))
        line = answer.select_one(LINE)
        assert line is not None and line["hx-swap-oob"] == "innerHTML", typed
        assert answer.select_one(f"#people-list {LINE}") is None
        return str(line.get_text())

    assert await said("dana") == "1 person"
    assert await said("dan") == "2 people"
    assert await said("zz") == "No matches."
    assert await said("?") == "No words to search for."
    assert await said("") == ""
    # Without JavaScript, the page found says the same.
    assert soup(await ben.get(url, params={"q": "dan"})).select_one(LINE).get_text() == "2 people"


async def test_show_more_brings_no_count(new_phone, pool):
    """A later page's rows go on the list: a line of its own would replace the count."""
    _, event_id = await organizer_with_event(new_phone)
    ben = await attendee(new_phone, pool, event_id, "Ben Ode")
    url = ben.url("event_people", event_id=event_id)
    later = await ben.get(url, params={"q": "x", "after": "1.1.x"}, headers={"HX-Request": "true"})
    assert later.status_code == 200
    assert soup(later).select_one("#people-count") is None
