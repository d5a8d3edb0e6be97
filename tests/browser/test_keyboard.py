"""Keyboard and screen reader use across htmx swaps: focus stays with the control used, so
a second key press acts on it again rather than on the page."""

from __future__ import annotations

import asyncpg
from playwright.async_api import expect

from tests.browser.conftest import NewPage
from tests.browser.ui import DANA, make_card_from_home


async def test_a_switch_toggled_twice_from_the_keyboard_keeps_its_focus(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    await dana.wait_for_load_state("load")  # htmx at work
    switch = dana.get_by_role("checkbox", name="Ask for their details first.", exact=False)
    await switch.focus()
    await dana.keyboard.press("Space")
    said = dana.locator("#ask-first").get_by_role("status")
    await expect(said).to_have_text("On: they leave their details first.")
    await expect(switch).to_be_focused()
    await dana.keyboard.press("Space")
    await expect(said).to_have_text("Off: they see your whole card.")
    await expect(switch).to_be_focused()
    await expect(switch).not_to_be_checked()
    asks = await pool.fetchval("SELECT ask_details_first FROM cards WHERE name = $1", DANA.name)
    assert asks is False
