"""A long contact list in Chromium: "Show more" appends the next page in place, and
search as you type still narrows the whole list afterwards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg
from playwright.async_api import expect

from server.web import pages
from tests.browser.conftest import NewPage
from tests.browser.ui import (
    DANA,
    assert_same_document,
    contact_links,
    make_card_from_home,
    mark_document,
)

MORE = 17


async def test_show_more_appends_the_next_contacts_and_search_still_works(
    new_phone_page: NewPage, live_server: str, pool: asyncpg.Pool
) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    owner = await pool.fetchval("SELECT account_id FROM cards WHERE name = $1", DANA.name)
    count = pages.PAGE_SIZE + MORE
    names = [f"Person {n:03}" for n in range(count)]
    ids = await pool.fetch(
        "WITH made AS (INSERT INTO accounts (time_zone) SELECT 'UTC' FROM generate_series(1, $1)"
        " RETURNING id) SELECT id FROM made ORDER BY id",
        count,
    )
    await pool.executemany(
        "INSERT INTO cards (account_id, name) VALUES ($1, $2)",
        [(row["id"], name) for row, name in zip(ids, names, strict=True)],
    )
    start = datetime.now(UTC) - timedelta(days=30)
    await pool.executemany(
        "INSERT INTO contacts (owner_id, contact_id, met_at) VALUES ($1, $2, $3)",
        [(owner, row["id"], start + timedelta(hours=n)) for n, row in enumerate(ids)],
    )

    await dana.goto(f"{live_server}/contacts")
    await expect(contact_links(dana)).to_have_count(pages.PAGE_SIZE + 1)  # and "Show more"
    await mark_document(dana)
    url = dana.url
    # From the keyboard: Enter on "Show more", and focus goes to the first row it added (it
    # fell to <body>, and the next Tab skipped the new rows for the tab bar).
    await dana.get_by_role("link", name="Show more").focus()
    await dana.keyboard.press("Enter")
    await expect(contact_links(dana)).to_have_count(count)
    await expect(contact_links(dana).nth(pages.PAGE_SIZE)).to_be_focused()
    await expect(dana.get_by_role("link", name="Show more")).to_have_count(0)
    await assert_same_document(dana)
    assert dana.url == url
    shown = await dana.locator("#contact-list .name").all_inner_texts()
    assert shown == list(reversed(names))  # newest first, each once

    await dana.get_by_label("Search by name, role or company").fill("Person 003")
    await expect(contact_links(dana)).to_have_count(1)
    await expect(contact_links(dana)).to_contain_text("Person 003")
    await assert_same_document(dana)
