"""A note saved on a contact's page after this browser was signed out from another device:
said above the form, as signed out, with Sign in; what was typed stays in the form, and
nothing offers to make a card (which would start a second account)."""

from __future__ import annotations

import asyncpg
from playwright.async_api import expect

from tests.browser.conftest import NewPage
from tests.browser.test_offline import mias_page
from tests.browser.ui import swap_with_mia


async def test_a_note_saved_after_signing_out_elsewhere_keeps_what_was_typed(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana = await swap_with_mia(new_phone_page)
    await mias_page(dana)
    note = dana.get_by_label("My private note")
    await note.fill("Knows the Lisbon team")
    # Settings on her laptop: "Sign out every other browser".
    await pool.execute("UPDATE sessions SET revoked_at = now() WHERE account_id = 1")
    await dana.get_by_role("button", name="Save note").tap()
    said = dana.get_by_role("alert").filter(has_text="You were signed out on this browser.")
    await expect(said).to_contain_text("Nothing was changed.")
    await expect(said.get_by_role("link", name="Sign in")).to_be_visible()
    await expect(dana.get_by_text("No card on this phone yet")).to_have_count(0)
    await expect(dana.get_by_role("link", name="Make my card")).to_have_count(0)
    await expect(note).to_have_value("Knows the Lisbon team")
    assert await pool.fetchval("SELECT note FROM contacts WHERE owner_id = 1") == ""
