"""Kept pages that list my contacts (Follow-ups, Contacts) do not outlive the other person's
Remove, Block or deleted account, and the check runs when Follow-ups comes from the network,
not only Contacts."""

from __future__ import annotations

import asyncpg
import pytest
from playwright.async_api import expect

from tests.browser.conftest import NewPage
from tests.browser.test_offline_contacts_checked import (
    dana_takes_back,
    email_link,
    kept_page,
    mia_keeps_danas_page,
)
from tests.browser.ui import DANA, contact_links, offline_mark
from tests.waiting import eventually


def kept_naming_dana(page_text: str | None) -> bool:
    return page_text is not None and DANA.name in page_text


@pytest.mark.parametrize("how", ["removes Mia", "blocks Mia", "deletes her account"])
async def test_follow_ups_kept_offline_forget_whoever_took_me_back(
    new_phone_page: NewPage, pool: asyncpg.Pool, how: str
) -> None:
    """Mia keeps Follow-ups offline, with Dana coming up. Dana removes her, blocks her or
    deletes her account; Mia opens only her contacts online (not Follow-ups). At the next
    venue with no network, her Follow-ups show no Dana."""
    dana, mia, _ = await mia_keeps_danas_page(new_phone_page)
    await mia.goto("/followups")
    await expect(mia.get_by_text(DANA.name)).to_be_visible()

    async def followups_kept() -> bool:
        return kept_naming_dana(await kept_page(mia, "/followups"))

    await eventually(followups_kept, "Follow-ups kept for offline, with Dana")
    await dana_takes_back(dana, pool, how)

    await mia.goto("/contacts")  # online, before the venue
    await expect(mia.get_by_role("heading", level=1, name="Contacts")).to_be_visible()

    async def checked() -> bool:
        kept = await kept_page(mia, "/followups")
        return kept is not None and "Follow-ups" in kept and DANA.name not in kept

    await eventually(checked, "Follow-ups kept anew, without Dana")

    await mia.context.set_offline(True)
    await mia.goto("/followups")
    await expect(offline_mark(mia)).to_be_visible()
    await expect(mia.get_by_role("heading", level=1, name="Follow-ups")).to_be_visible()
    await expect(mia.get_by_text(DANA.name)).to_have_count(0)


@pytest.mark.parametrize("contacts_kept", [False, True], ids=["list not kept", "list kept"])
async def test_opening_follow_ups_online_checks_the_contacts_kept(
    new_phone_page: NewPage, pool: asyncpg.Pool, contacts_kept: bool
) -> None:
    """Dana removes Mia; Mia opens Follow-ups online, never Contacts. At the venue with no
    network, Dana's page on Mia's phone is gone, and so is Dana from her kept contacts list
    (where there was one)."""
    dana, mia, path = await mia_keeps_danas_page(new_phone_page)
    if contacts_kept:
        await mia.goto("/contacts")
        await expect(contact_links(mia).filter(has_text=DANA.name)).to_be_visible()

        async def list_kept() -> bool:
            return kept_naming_dana(await kept_page(mia, "/contacts"))

        await eventually(list_kept, "Mia's contacts kept for offline, with Dana")
    await dana_takes_back(dana, pool, "removes Mia")

    await mia.goto("/followups")  # online, before the venue
    await expect(mia.get_by_role("heading", level=1, name="Follow-ups")).to_be_visible()
    await expect(mia.get_by_text(DANA.name)).to_have_count(0)

    async def checked() -> bool:
        if await kept_page(mia, path) is not None:
            return False
        return not contacts_kept or not kept_naming_dana(await kept_page(mia, "/contacts"))

    await eventually(checked, "Dana's page and the list kept for offline checked from Follow-ups")

    await mia.context.set_offline(True)
    await mia.goto(path)
    await expect(mia.get_by_role("heading", level=1, name="You're offline")).to_be_visible()
    await expect(mia.get_by_text(DANA.name)).to_have_count(0)
    await expect(email_link(mia, DANA.email)).to_have_count(0)
    if contacts_kept:
        await mia.goto("/contacts")
        await expect(offline_mark(mia)).to_be_visible()
        await expect(mia.get_by_role("heading", level=1, name="Contacts")).to_be_visible()
        await expect(contact_links(mia).filter(has_text=DANA.name)).to_have_count(0)
