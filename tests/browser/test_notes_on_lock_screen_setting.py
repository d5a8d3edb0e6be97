"""Settings on a phone: "Show what I promised and what they asked on the lock screen", with
what it means, is saved by "Save reminder settings" (it is off until ticked); a save refused
for another field keeps it as ticked and saves nothing."""

from __future__ import annotations

import re

import asyncpg
from playwright.async_api import expect

from tests.browser.conftest import NewPage
from tests.browser.test_settings_saved_said import settings

LABEL = "Show what I promised and what they asked on the lock screen"


async def saved_choice(pool: asyncpg.Pool) -> bool:
    choice: bool = await pool.fetchval("SELECT notes_on_lock_screen FROM accounts")
    return choice


async def test_ticked_and_saved_then_shown_ticked(new_phone_page: NewPage, pool) -> None:
    dana = await settings(new_phone_page)
    box = dana.get_by_role("checkbox", name=LABEL)
    await expect(box).not_to_be_checked()
    await expect(box).to_have_accessible_description(
        "If ticked, anyone who sees your lock screen can read them."
        " Reminder emails always include them."
    )
    await box.check()
    save = dana.get_by_role("button", name="Save reminder settings", exact=True)
    await save.scroll_into_view_if_needed()
    await save.tap()
    await expect(dana.locator("#preferences").get_by_role("status")).to_have_text("Saved.")
    assert await saved_choice(pool) is True
    await dana.reload()
    await expect(dana.get_by_role("checkbox", name=LABEL)).to_be_checked()


async def test_a_refused_save_keeps_it_ticked_and_saves_nothing(
    new_phone_page: NewPage, pool
) -> None:
    dana = await settings(new_phone_page)
    await dana.get_by_role("checkbox", name=LABEL).check()
    await dana.get_by_label(re.compile(r"^Time zone")).fill("EST")
    save = dana.get_by_role("button", name="Save reminder settings", exact=True)
    await save.scroll_into_view_if_needed()
    await save.tap()
    await expect(dana.locator("#tz-error")).to_be_visible()
    await expect(dana.get_by_role("checkbox", name=LABEL)).to_be_checked()
    assert await saved_choice(pool) is False
