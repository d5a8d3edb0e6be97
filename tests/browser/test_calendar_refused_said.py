"""A calendar file or an export tapped while another of the account's is being made: the
person sees the refusal, in words naming what was tapped, rather than nothing at all (a link
with ``download`` drops a 429 silently). Otherwise the file downloads and the page stays."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from playwright.async_api import Page, expect

from tests.browser.conftest import NewPage
from tests.browser.ui import DANA, Card, leave_details, make_card_from_home, share_link

ZOE = Card(name="Zoe Smith", email="zoe@example.com")
CALENDAR_REFUSED = "Your calendar file or an export is still being made. Try again in a moment."
EXPORT_REFUSED = "Your other export is still being made. Try again in a moment."


@asynccontextmanager
async def one_being_made(pool: asyncpg.Pool, name: str) -> AsyncIterator[None]:
    """As while one of ``name``'s exports is being made: its lock (export.lock_making) held."""
    account_id = await pool.fetchval("SELECT account_id FROM cards WHERE name = $1", name)
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended('export:' || $1::bigint, 0))",
            account_id,
        )
        yield


async def refused_in_words(page: Page, link: str, words: str) -> None:
    await page.get_by_role("link", name=link).tap()
    # The 429 page itself, not the page tapped on with nothing said.
    await expect(page.get_by_role("heading", level=1, name="Slow down a little")).to_be_visible()
    await expect(page.get_by_text(words)).to_be_visible()


async def downloads(page: Page, link: str, filename: str) -> None:
    async with page.expect_download() as started:
        await page.get_by_role("link", name=link).tap()
    file = await started.value
    assert await file.failure() is None
    assert file.suggested_filename == filename


async def met(new_phone_page: NewPage) -> tuple[Page, Page]:
    """Dana, with a card, and Zoe, on her welcome page after leaving Dana her details."""
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    zoe = await new_phone_page()
    await zoe.goto(await share_link(dana))
    await leave_details(zoe, DANA.name, ZOE.name, ZOE.email)
    return dana, zoe


async def test_add_to_calendar_while_a_file_is_made_says_so(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana, _ = await met(new_phone_page)
    await dana.goto("/followups")
    async with one_being_made(pool, DANA.name):
        await refused_in_words(dana, "Add to calendar", CALENDAR_REFUSED)
    await dana.go_back()
    await expect(dana.get_by_role("heading", level=1, name="Follow-ups")).to_be_visible()
    # Nothing being made: the file comes, and Follow-ups stays (a download is not a page).
    await downloads(dana, "Add to calendar", "reachout-follow-ups.ics")
    await expect(dana.get_by_role("heading", level=1, name="Follow-ups")).to_be_visible()


async def test_add_to_my_calendar_on_the_welcome_page_while_a_file_is_made_says_so(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    _, zoe = await met(new_phone_page)
    welcome = zoe.url
    async with one_being_made(pool, ZOE.name):
        await refused_in_words(zoe, "Add to my calendar", CALENDAR_REFUSED)
    await zoe.goto(welcome)
    await downloads(zoe, "Add to my calendar", "reachout-follow-ups.ics")


async def test_an_export_while_a_file_is_made_says_so_in_its_own_words(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana, _ = await met(new_phone_page)
    await dana.goto("/settings")
    async with one_being_made(pool, DANA.name):
        await refused_in_words(dana, "Contacts as a spreadsheet (.csv)", EXPORT_REFUSED)
