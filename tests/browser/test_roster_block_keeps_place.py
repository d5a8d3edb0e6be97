"""Block on a crowded event's list of people, in Chromium: the phone stays where it was. A
search typed ("rec") and the pages "Show more" added stay, the person blocked is gone and
"Blocked." is said; not the list's top, search cleared, as it was."""

from __future__ import annotations

import asyncpg
from playwright.async_api import Page, expect

from tests.browser.conftest import NewPage
from tests.browser.test_event_story import OLGA, create_event
from tests.browser.ui import assert_same_document, make_card_from_home, mark_document
from tests.web.test_pages import add_people

# 53 found by "rec": a first page of 50, and three "Show more" adds. Three others.
FOUND = [f"Recruiter {n:02}" for n in range(1, 54)]
OTHERS = [f"Designer {n:02}" for n in range(1, 4)]
SEARCH = "Search names, companies, and what people look for or offer"


async def crowded_event(new_phone_page: NewPage, pool: asyncpg.Pool) -> tuple[Page, int]:
    """Olga's event, with the 56 others on its list."""
    olga = await new_phone_page()
    await make_card_from_home(olga, OLGA)
    event_id = await create_event(olga)
    others = await add_people(pool, FOUND + OTHERS)
    await pool.executemany(
        "INSERT INTO event_attendees (event_id, account_id) VALUES ($1, $2)",
        [(event_id, account) for account in others],
    )
    return olga, event_id


async def search_rec(olga: Page, event_id: int) -> None:
    """Olga opens the list of people and types "rec": more than a page is found."""
    await olga.goto(f"/events/{event_id}/people")
    await olga.get_by_label(SEARCH).fill("rec")
    await expect(olga.get_by_role("status").filter(has_text="More than 50 people")).to_be_visible()
    await expect(names(olga)).to_have_text(FOUND[:50])


def names(page: Page):
    return page.locator("#people-list").get_by_role("heading", level=2)


async def block(page: Page, name: str) -> None:
    await page.get_by_text(f"Block {name}…").tap()
    await page.get_by_role("button", name=f"Block {name}", exact=True).tap()


async def test_block_pages_down_a_search_leaves_the_search_and_the_rows(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    olga, event_id = await crowded_event(new_phone_page, pool)
    await search_rec(olga, event_id)
    search = olga.get_by_label(SEARCH)
    await olga.get_by_role("link", name="Show more").tap()
    await expect(names(olga)).to_have_count(len(FOUND))
    await mark_document(olga)

    await block(olga, "Recruiter 52")
    await expect(
        olga.get_by_role("status").filter(has_text="Blocked. You two won't see each other")
    ).to_be_visible()
    await expect(names(olga)).to_have_text([name for name in FOUND if name != "Recruiter 52"])
    await expect(search).to_have_value("rec")
    await assert_same_document(olga)
    # Where the row was: said there, and focus there, not at the top of the page.
    gone = olga.locator("#people-list").get_by_role("listitem").filter(has_text="Blocked.")
    await expect(gone).to_be_focused()
    await expect(gone).to_be_in_viewport()
