"""Block in place on a searched event's list of people, in Chromium: the line above the list
that says what the search found, "More than 50 people" of 51, says "50 people" once one of
them is blocked, on the same page; the row blocked keeps the focus."""

from __future__ import annotations

import asyncpg
from playwright.async_api import expect

from tests.browser.conftest import NewPage
from tests.browser.test_roster_block_keeps_place import (
    FOUND,
    block,
    crowded_event,
    names,
    search_rec,
)
from tests.browser.ui import assert_same_document, mark_document

LINE = "#people-count"


async def test_the_found_line_counts_without_the_person_blocked(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    olga, event_id = await crowded_event(new_phone_page, pool)
    # 51 found by "rec": a page of 50, and one more.
    await pool.execute(
        "DELETE FROM event_attendees WHERE event_id = $1 AND account_id IN"
        " (SELECT account_id FROM cards WHERE name = ANY($2::text[]))",
        event_id,
        FOUND[51:],
    )
    await search_rec(olga, event_id)
    await mark_document(olga)

    await block(olga, "Recruiter 07")
    await expect(olga.get_by_role("status").and_(olga.locator(LINE))).to_have_text("50 people")
    await expect(names(olga)).to_have_text([name for name in FOUND[:50] if name != "Recruiter 07"])
    await assert_same_document(olga)
    gone = olga.locator("#people-list").get_by_role("listitem").filter(has_text="Blocked.")
    await expect(gone).to_be_focused()
