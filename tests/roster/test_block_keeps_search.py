"""Block on an event's list of people, without JavaScript: the form's answer leads back to the
list as it was, its search, its page ("Show more" followed) and the person next to the one
blocked (a fragment), with "Blocked." said; not to the top of the whole list."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup

from tests.events.test_routes import organizer_with_event
from tests.phone import Phone, soup
from tests.roster.test_roster_paging import more_link, names_on
from tests.web.test_pages import add_people

# 53 found by "rec" (a first page of 50 and a second of 3), 3 that are not.
FOUND = [f"Recruiter {n:02}" for n in range(1, 54)]
OTHERS = [f"Designer {n:02}" for n in range(1, 4)]


async def crowd(new_phone, pool) -> tuple[Phone, int, dict[str, int]]:
    """The organizer (the one blocking), the event, everyone's account by name."""
    olga, event_id = await organizer_with_event(new_phone)
    await add_people(pool, FOUND + OTHERS)
    ids = dict(
        await pool.fetch("SELECT name, account_id FROM cards WHERE name <> 'Olga Organizer'")
    )
    await pool.executemany(
        "INSERT INTO event_attendees (event_id, account_id) VALUES ($1, $2)",
        [(event_id, account) for account in ids.values()],
    )
    return olga, event_id, ids


async def press_block(phone: Phone, page: BeautifulSoup, name: str):
    """What a browser sends for the page's "Block <name>" button: its form, as it is."""
    button = page.find("button", string=f"Block {name}")
    form = button.find_parent("form")
    fields = {field["name"]: field.get("value", "") for field in form.select("input[name]")}
    return await phone.post(form["action"], fields)


async def test_block_leads_back_to_the_same_search_at_the_next_person(new_phone, pool):
    olga, event_id, ids = await crowd(new_phone, pool)
    roster = olga.url("event_people", event_id=event_id)
    found = await olga.get(roster, params={"q": "rec"})
    assert names_on(found) == FOUND[:50]

    blocked = await press_block(olga, soup(found), "Recruiter 07")
    assert blocked.status_code == 303
    back = urlsplit(blocked.headers["location"])
    assert back.path == roster
    assert parse_qs(back.query) == {"q": ["rec"], "notice": ["blocked"]}
    assert back.fragment == f"person-{ids['Recruiter 08']}"

    page = await olga.get(blocked.headers["location"])
    html = soup(page)
    assert html.find("input", id="q")["value"] == "rec"
    assert "Blocked." in html.select_one("[data-notice][role=status]").get_text()
    shown = names_on(page)
    assert "Recruiter 07" not in shown
    assert shown == [name for name in FOUND if name != "Recruiter 07"][:50]
    assert not any(name.startswith("Designer") for name in shown)
    landing = html.find(id=back.fragment)
    assert landing.select_one(".name").get_text(strip=True) == "Recruiter 08"


async def test_block_on_a_later_page_leads_back_to_that_page(new_phone, pool):
    """Three pages down without JavaScript is a page of its own (?after=): back to it, not
    to the first page, the search kept. The last person on it lands at the one before."""
    olga, event_id, ids = await crowd(new_phone, pool)
    roster = olga.url("event_people", event_id=event_id)
    more = more_link(await olga.get(roster, params={"q": "rec"}))
    assert more is not None
    later = await olga.get(more)
    assert names_on(later) == FOUND[50:]

    blocked = await press_block(olga, soup(later), "Recruiter 53")
    assert blocked.status_code == 303
    back = urlsplit(blocked.headers["location"])
    asked = parse_qs(urlsplit(more).query)
    assert parse_qs(back.query) == {**asked, "notice": ["blocked"]}
    assert back.fragment == f"person-{ids['Recruiter 52']}"
    page = await olga.get(blocked.headers["location"])
    assert names_on(page) == ["Recruiter 51", "Recruiter 52"]
    assert soup(page).find("input", id="q")["value"] == "rec"


async def test_a_place_no_page_gave_is_left_out(new_phone, pool):
    """The fields are the browser's to send: a cursor longer than any the list takes, or a
    place that is no account, leads to the search's first page, the block done all the same."""
    olga, event_id, ids = await crowd(new_phone, pool)
    url = olga.url("event_block", event_id=event_id, account_id=ids["Recruiter 07"])
    blocked = await olga.post(url, {"q": "rec", "after": "1.2." + "p" * 5000, "near": "x"})
    assert blocked.status_code == 303
    back = urlsplit(blocked.headers["location"])
    assert parse_qs(back.query) == {"q": ["rec"], "notice": ["blocked"]}
    assert back.fragment == ""
    assert "Recruiter 07" not in names_on(await olga.get(blocked.headers["location"]))
