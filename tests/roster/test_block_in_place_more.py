"""Block in place (htmx) on an event's list of people, searched: the line above the list that
says what the search found ("More than 50 people", "2 people") comes again with the answer,
out of band, as the search finds now, without the person blocked. It was left saying a
count that had them in it."""

from __future__ import annotations

from urllib.parse import urlencode

from bs4 import BeautifulSoup

from tests.events.test_routes import attendee, organizer_with_event
from tests.phone import Phone, soup
from tests.roster.test_block_keeps_search import crowd
from tests.roster.test_roster_paging import more_link, names_on

LINE = "#people-count[role=status]"


async def block_in_place(phone: Phone, page: BeautifulSoup, name: str, on: str):
    """What htmx sends for the "Block <name>" button of a row of ``page``, shown at ``on``
    (the page's own address: htmx says it, HX-Current-URL)."""
    button = page.find("button", string=f"Block {name}")
    form = button.find_parent("form")
    assert form.has_attr("hx-post"), f"{name}'s Block is not in place"
    fields = {field["name"]: field.get("value", "") for field in form.select("input[name]")}
    answer = await phone.post(
        form["action"], fields, htmx=True, headers={"HX-Current-URL": f"http://test{on}"}
    )
    assert answer.status_code == 200, answer.text
    html = soup(answer)
    assert html.find("p", string="Blocked.") is not None
    return html


def line_in(answer: BeautifulSoup) -> str | None:
    """What the answer puts in the page's line, or None when it leaves it alone."""
    line = answer.select_one(LINE)
    if line is None:
        return None
    assert line["hx-swap-oob"] == "innerHTML"
    return str(line.get_text())


async def test_more_than_a_page_said_again_until_it_is_a_page(new_phone, pool):
    """53 found: "More than 50 people". Three blocked in place, one after another: still more
    than a page after the first two, then exactly the 50 left."""
    olga, event_id, _ = await crowd(new_phone, pool)
    at = olga.url("event_people", event_id=event_id) + "?" + urlencode({"q": "rec"})
    page = soup(await olga.get(at))
    assert page.select_one(LINE).get_text() == "More than 50 people"

    for name, said in [
        ("Recruiter 07", "More than 50 people"),
        ("Recruiter 08", "More than 50 people"),
        ("Recruiter 09", "50 people"),
    ]:
        assert line_in(await block_in_place(olga, page, name, at)) == said, name
    # What the list itself says of the same search now.
    assert soup(await olga.get(at)).select_one(LINE).get_text() == "50 people"


async def test_a_count_goes_down_to_no_matches(new_phone, pool):
    _, event_id = await organizer_with_event(new_phone)
    await attendee(new_phone, pool, event_id, "Dana Lee")
    await attendee(new_phone, pool, event_id, "Dan Ode")
    ben = await attendee(new_phone, pool, event_id, "Ben Ode")
    at = ben.url("event_people", event_id=event_id) + "?q=dan"
    page = soup(await ben.get(at))
    assert page.select_one(LINE).get_text() == "2 people"

    assert line_in(await block_in_place(ben, page, "Dana Lee", at)) == "1 person"
    assert line_in(await block_in_place(ben, page, "Dan Ode", at)) == "No matches."


async def test_a_row_show_more_added_says_the_search_again(new_phone, pool):
    """Its form came with the next page (``after``), but the page on screen is the first,
    with the line: "More than 50 people" of 51 is no longer true."""
    olga, event_id, ids = await crowd(new_phone, pool)
    await pool.execute(
        "DELETE FROM event_attendees WHERE event_id = $1 AND account_id = ANY($2::bigint[])",
        event_id,
        [ids["Recruiter 52"], ids["Recruiter 53"]],
    )
    at = olga.url("event_people", event_id=event_id) + "?q=rec"
    first = await olga.get(at)
    assert soup(first).select_one(LINE).get_text() == "More than 50 people"
    added = await olga.get(more_link(first), headers={"HX-Request": "true"})
    assert names_on(added) == ["Recruiter 51"]

    answer = await block_in_place(olga, soup(added), "Recruiter 51", at)
    assert line_in(answer) == "50 people"


async def test_said_again_only_where_the_page_has_the_line_saying_it(new_phone, pool):
    """No search: the line says nothing, and stays so. A page down the list with its own
    address (?after=, opened as a page) has the line empty: it stays empty. The search's
    first page has it: said again there."""
    olga, event_id, _ = await crowd(new_phone, pool)
    at = olga.url("event_people", event_id=event_id)
    everyone = soup(await olga.get(at))
    assert everyone.select_one(LINE).get_text() == ""
    assert line_in(await block_in_place(olga, everyone, "Designer 01", at)) is None

    later = more_link(await olga.get(at + "?q=rec"))
    page = soup(await olga.get(later))
    assert page.select_one(LINE).get_text() == ""
    assert line_in(await block_in_place(olga, page, "Recruiter 51", later)) is None

    first = soup(await olga.get(at + "?q=rec"))
    said = line_in(await block_in_place(olga, first, "Recruiter 07", at + "?q=rec"))
    assert said == "More than 50 people"
