"""Taking it back on a phone-sized page: remove a contact and undo it by the visible labels; the
Undo button going away when its time is up; block from a contact, see it in Settings' Blocked
people, and unblock."""

from __future__ import annotations

import re

import asyncpg
from playwright.async_api import Page, expect

from tests.browser.conftest import NewPage
from tests.browser.ui import (
    DANA,
    MIA,
    contact_links,
    contacts_once,
    make_card_from_home,
    share_link,
)


async def swap_with(mia: Page, link: str) -> None:
    await mia.goto(link)
    await mia.get_by_role("button", name="Swap details").tap()
    await expect(mia).to_have_url(re.compile(r"/contacts/\d+\?notice=swapped$"))


async def dana_and_mia_swapped(new_phone_page: NewPage) -> tuple[Page, Page, str]:
    """Dana shares her card and Mia swaps with her: both phones (Mia's on Dana's contact)
    and Dana's link."""
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    link = await share_link(dana)
    mia = await new_phone_page()
    await make_card_from_home(mia, MIA)
    await swap_with(mia, link)
    return dana, mia, link


async def test_remove_undo_block_and_unblock_by_their_labels(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana, mia, link = await dana_and_mia_swapped(new_phone_page)

    # Remove, then Undo: back as before, on both sides.
    await mia.get_by_role("button", name="Remove Dana Lee").tap()
    await expect(mia).to_have_url(re.compile(r"/contacts\?removed=\d+$"))
    await expect(mia.get_by_role("status").filter(has_text="Removed")).to_contain_text(
        "Removed Dana Lee."
    )
    await expect(contact_links(mia).filter(has_text="Dana Lee")).to_have_count(0)
    await mia.get_by_role("button", name="Undo").tap()
    await expect(mia.get_by_role("heading", level=1, name="Dana Lee")).to_be_visible()
    await expect(mia.get_by_role("status").filter(has_text="is back")).to_contain_text(
        "Dana Lee is back in your contacts"
    )
    await contacts_once(dana, "Mia Chen")

    # Removed again, and not undone: the Undo button goes when its time is up.
    await mia.get_by_role("button", name="Remove Dana Lee").tap()
    await expect(mia.get_by_role("button", name="Undo")).to_be_visible()
    await pool.execute("UPDATE contact_removals SET undo_until = now() + interval '1 second'")
    await mia.reload()
    await expect(mia.get_by_role("button", name="Undo")).to_be_hidden(timeout=5000)
    await mia.goto("/contacts")
    await expect(contact_links(mia).filter(has_text="Dana Lee")).to_have_count(0)

    # They meet again; this time Mia blocks Dana from her contact page.
    await swap_with(mia, link)
    await mia.get_by_text("Block Dana Lee…").tap()
    await mia.get_by_role("button", name="Block Dana Lee", exact=True).tap()
    await expect(mia).to_have_url(re.compile(r"/contacts\?notice=blocked$"))
    await expect(mia.get_by_role("status").filter(has_text="Blocked.")).to_be_visible()
    await expect(contact_links(mia).filter(has_text="Dana Lee")).to_have_count(0)
    await mia.goto(link)
    await mia.get_by_role("button", name="Swap details").tap()
    await expect(mia.get_by_role("alert")).to_contain_text(
        "Can't swap. You can't swap details with this person on Reachout."
    )

    # Settings lists her under Blocked people; Unblock takes her off, in place.
    await mia.goto("/settings")
    blocked = mia.get_by_role("region", name="Blocked people")
    await expect(blocked).to_contain_text("Dana Lee")
    await blocked.get_by_role("button", name="Unblock Dana Lee").tap()
    await expect(blocked.get_by_role("status")).to_contain_text("Unblocked Dana Lee.")
    await expect(blocked.get_by_role("button", name="Unblock Dana Lee")).to_have_count(0)
    await swap_with(mia, link)
    await contacts_once(dana, "Mia Chen")
