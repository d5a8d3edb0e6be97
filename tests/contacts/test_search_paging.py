"""Contacts search's "Show more", as someone scrolling what they searched for sees it.

The next page goes on from where the last page ended, by the values that page gave (the
group: names starting with what was typed, then the rest found; the moment met; the row),
whatever the last contact shown did since: renamed (into the other group, or out of the
search) or removed. A search's cursor no page made is refused in words (400), never a 500;
without a search the list keeps its cursor (the moment and the row) as it was.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

from server.web import pages
from tests.contacts.test_search_words import met
from tests.phone import Phone, text_of

# Group 1 ("Sam ...": a name starting with "sam") and group 2 (Samsung is where they work).
SAMS = [(f"Sam {n:03}", "Guest", "") for n in range(55)]
ALEXES = [(f"Alex {n:03}", "Guest", "Samsung") for n in range(10)]

Change = Callable[[Any, int], Awaitable[None]]


@pytest.fixture
async def me(new_phone: Any) -> Phone:
    phone: Phone = await new_phone()
    await phone.make_card(name="Me Myself")  # met() finds the owner by this name
    return phone


async def renamed_out_of_the_search(pool: Any, account: int) -> None:
    await pool.execute("UPDATE cards SET name = 'Xavier Five' WHERE account_id = $1", account)


async def renamed_into_the_other_group(pool: Any, account: int) -> None:
    # Group 1 to 2 ("Alex Five" at Samsung), or 2 to 1 ("Sam Moved").
    name = await pool.fetchval("SELECT name FROM cards WHERE account_id = $1", account)
    await pool.execute(
        "UPDATE cards SET name = $1, company = 'Samsung' WHERE account_id = $2",
        "Alex Five" if name.startswith("Sam") else "Sam Moved",
        account,
    )


async def removed(pool: Any, account: int) -> None:
    await pool.execute("DELETE FROM contacts WHERE contact_id = $1 OR owner_id = $1", account)


def names_on(response: Any) -> list[str]:
    html = BeautifulSoup(response.text, "html.parser")
    return [el.get_text(strip=True) for el in html.select("#contact-list > ul > li .name")]


def more_link(response: Any, *, htmx: bool) -> str | None:
    link = BeautifulSoup(response.text, "html.parser").select_one("li.more a")
    if link is None:
        return None
    return str(link["hx-get"] if htmx else link["href"])


async def first_then_second(
    me: Phone, pool: Any, change: Change, last_shown: str, *, htmx: bool
) -> tuple[list[str], list[str]]:
    """Search "sam", change the last contact page 1 shows (``last_shown``), then Show more:
    the names on each page."""
    first = await me.get(me.url("contacts"), params={"q": "sam"})
    assert first.status_code == 200
    shown = names_on(first)
    assert len(shown) == pages.PAGE_SIZE and shown[-1] == last_shown
    more = more_link(first, htmx=htmx)
    assert more is not None
    account = await pool.fetchval("SELECT account_id FROM cards WHERE name = $1", last_shown)
    await change(pool, account)
    second = await me.get(more, headers={"HX-Request": "true"} if htmx else {})
    assert second.status_code == 200, second.text[:500]
    assert more_link(second, htmx=htmx) is None
    return shown, names_on(second)


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])
@pytest.mark.parametrize(
    "change", [renamed_out_of_the_search, renamed_into_the_other_group, removed]
)
async def test_show_more_goes_on_in_the_first_group_whatever_its_last_contact_did(
    me, pool, change, htmx
):
    # The Alexes met first, then the Sams: newest first, page 1 ends at Sam 005.
    await met(pool, ALEXES + SAMS)
    shown, second = await first_then_second(me, pool, change, "Sam 005", htmx=htmx)
    assert shown == [f"Sam {n:03}" for n in range(54, 4, -1)]
    # Sam 004 to 000 (once skipped), then everyone at Samsung, newest first; renamed "Alex
    # Five" at Samsung, Sam 005 now stands in that group, not yet shown, as the newest of it.
    moved = ["Alex Five"] if change is renamed_into_the_other_group else []
    alexes = [f"Alex {n:03}" for n in range(9, -1, -1)]
    assert second == [f"Sam {n:03}" for n in range(4, -1, -1)] + moved + alexes


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])
@pytest.mark.parametrize(
    "change", [renamed_out_of_the_search, renamed_into_the_other_group, removed]
)
async def test_show_more_goes_on_in_the_second_group_whatever_its_last_contact_did(
    me, pool, change, htmx
):
    # 20 Sams met first, then 40 at Samsung: page 1 is every Sam, then Alex 039 to 010.
    sams = SAMS[:20]
    alexes = [(f"Alex {n:03}", "Guest", "Samsung") for n in range(40)]
    await met(pool, sams + alexes)
    shown, second = await first_then_second(me, pool, change, "Alex 010", htmx=htmx)
    assert shown[:20] == [f"Sam {n:03}" for n in range(19, -1, -1)]
    # Only the ten older Alexes: no Sam shown again.
    assert second == [f"Alex {n:03}" for n in range(9, -1, -1)]


async def test_the_show_more_link_carries_the_group_of_a_search_only(me, pool):
    ids = await met(pool, ALEXES + SAMS)
    # Sam 005's row (the 50th shown): the one whose contact is Sam 005.
    row = await pool.fetchrow("SELECT id, met_at FROM contacts WHERE contact_id = $1", ids[15])
    cursor = pages.moment_cursor(row["met_at"], row["id"])
    searched = await me.get(me.url("contacts"), params={"q": "sam"})
    link = more_link(searched, htmx=False)
    assert link is not None
    assert parse_qs(urlsplit(link).query)[pages.PARAM] == [f"1.{cursor}"]
    # Without a search there is one group: the cursor is the moment-ordered lists' own.
    everyone = await me.get(me.url("contacts"))
    link = more_link(everyone, htmx=False)
    assert link is not None
    (after,) = parse_qs(urlsplit(link).query)[pages.PARAM]
    assert after.count(".") == 1
    rest = await me.get(link)
    assert rest.status_code == 200
    assert len(names_on(rest)) == len(ALEXES) + len(SAMS) - pages.PAGE_SIZE


@pytest.mark.parametrize(
    "after",
    [
        "",
        "x",
        "1785000000000000.12",  # no group: a search cannot say where it was
        "3.1785000000000000.12",
        "0.1785000000000000.12",
        "1.-5.12",
        "1.1785000000000000.x",
        "1.99999999999999999999.12",
        "1.300000000000000000.12",  # beyond the last moment a date holds
        "1.1785000000000000.12.4",
        "1.1785000000000000.12%00",
        "1.1785000000000000.٣",
    ],
)
async def test_a_search_cursor_no_page_made_is_refused_in_words(me, pool, after):
    await met(pool, SAMS[:3])
    response = await me.get(me.url("contacts") + f"?q=sam&after={after}")
    assert response.status_code == 400
    assert 'That "Show more" link is not one this list made' in text_of(response)
    # A search's groups are 1 and 2, and either goes on from its place.
    for group in ("1", "2"):
        fine = await me.get(me.url("contacts") + f"?q=sam&after={group}.1785000000000000.12")
        assert fine.status_code == 200


async def test_the_found_line_counts_a_first_page_only(me: Phone, pool: Any) -> None:
    # 55 Sams found: the first page says there are more than it shows; the page after it
    # (Show more without JavaScript) shows 5, and does not say "5 people" of a search that
    # found 55: its line is there (the live region stays), empty.
    await met(pool, SAMS, spacing=False)
    first = await me.get(me.url("contacts"), params={"q": "sam"})
    found = BeautifulSoup(first.text, "html.parser").select_one("#contact-count[role=status]")
    assert found is not None and found.get_text(strip=True) == f"More than {pages.PAGE_SIZE} people"
    link = more_link(first, htmx=False)
    assert link is not None
    later = await me.get(link)
    assert len(names_on(later)) == len(SAMS) - pages.PAGE_SIZE
    line = BeautifulSoup(later.text, "html.parser").select_one("#contact-count[role=status]")
    assert line is not None and line.get_text(strip=True) == ""
