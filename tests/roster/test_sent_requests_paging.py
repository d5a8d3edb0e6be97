"""'Sent by you' on the requests page, paged: a pending request never expires, so every one
the sender made is there to see and withdraw, past the first fifty ("Show more")."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from tests.events.test_routes import attendee, organizer_with_event
from tests.mailing import confirm_addresses
from tests.phone import Phone
from tests.web.test_pages import add_people, flat, walk

ROWS = "#sent-list > li"
# Asked in this order, so listed newest first: Person 55 down to Person 01.
NAMES = [f"Person {n:02}" for n in range(1, 56)]


async def ben_asks_everyone(new_phone, pool) -> Phone:
    """Ben, having asked 55 people at an event to connect, through the app's own route.

    The people are made in SQL (the list is what is tested, not sign-up); the requests are
    real ones, the hour's limit of 30 emptied between them (it is not what is tested)."""
    _, event_id = await organizer_with_event(new_phone)
    ben = await attendee(new_phone, pool, event_id, "Ben Ode")
    # Confirmed: a new card's few requests in its first hour are not what is tested either.
    await confirm_addresses(pool, "ben@example.com")
    people = await add_people(pool, NAMES)
    await pool.executemany(
        "INSERT INTO event_attendees (event_id, account_id) VALUES ($1, $2)",
        [(event_id, account) for account in people],
    )
    for account in people:  # in NAMES order: add_people numbers them so
        await pool.execute("DELETE FROM limit_slots WHERE bucket = 'requests'")
        asked = await ben.post(ben.url("request_connect", event_id=event_id, account_id=account))
        assert asked.status_code == 303, asked.text[:500]
    assert await pool.fetchval("SELECT count(*) FROM connect_requests") == len(NAMES)
    return ben


def sent_names(response) -> list[str]:
    html = BeautifulSoup(response.text, "html.parser")
    return [li.select_one(".name").get_text(strip=True) for li in html.select(f"{ROWS}.sent")]


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])
async def test_all_55_sent_requests_are_listed_fifty_then_show_more(new_phone, pool, htmx):
    ben = await ben_asks_everyone(new_phone, pool)
    seen = await walk(ben, ben.url("requests"), ROWS, htmx=htmx)
    newest_first = list(reversed(NAMES))
    assert seen == [newest_first[:50], newest_first[50:]]
    assert flat(seen) == newest_first
    # "Show more" is a labelled link, there without JavaScript.
    first = BeautifulSoup((await ben.get(ben.url("requests"))).text, "html.parser")
    more = first.select_one("#sent-list li.more a")
    assert more.get_text(strip=True) == "Show more" and more["href"].startswith(
        ben.url("requests_sent") + "?after="
    )


async def test_a_request_on_the_second_page_can_be_withdrawn(new_phone, pool):
    ben = await ben_asks_everyone(new_phone, pool)
    first = BeautifulSoup((await ben.get(ben.url("requests"))).text, "html.parser")
    second = await ben.get(first.select_one("#sent-list li.more a")["href"])
    assert sent_names(second) == ["Person 05", "Person 04", "Person 03", "Person 02", "Person 01"]
    button = BeautifulSoup(second.text, "html.parser").select_one(
        'button[aria-label="Withdraw your request to Person 01"]'
    )
    form = button.find_parent("form")
    fields = {field["name"]: field["value"] for field in form.select("input[type=hidden]")}
    withdrawn = await ben.post(form["action"], fields)
    assert withdrawn.status_code == 303
    # Back to the page it was withdrawn from (clearing out old ones), not the first fifty.
    location = withdrawn.headers["location"]
    assert location.startswith(ben.url("requests_sent") + "?after=")
    assert location.endswith("&notice=request_withdrawn")
    back = await ben.get(location)
    assert sent_names(back) == ["Person 05", "Person 04", "Person 03", "Person 02"]
    # A "back" that is not a page of "Sent by you" is not followed: the requests page.
    other = BeautifulSoup(back.text, "html.parser").select_one(
        'button[aria-label="Withdraw your request to Person 02"]'
    )
    refused_back = await ben.post(
        other.find_parent("form")["action"], {"back": "https://evil.example/requests/sent"}
    )
    assert refused_back.headers["location"] == ben.url("requests") + "?notice=request_withdrawn"
    status = await pool.fetchval(
        "SELECT r.withdrawn_at IS NOT NULL FROM connect_requests r"
        " JOIN cards c ON c.account_id = r.to_id WHERE c.name = 'Person 01'"
    )
    assert status is True
    # Gone from the list; the other three still there, and nobody on the first page moved.
    assert await walk(ben, ben.url("requests"), ROWS, htmx=False) == [
        list(reversed(NAMES))[:50],
        ["Person 05", "Person 04", "Person 03"],
    ]
