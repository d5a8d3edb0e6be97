"""A note over the 2,000 characters a note is saved with (two merged cards' notes, joined
whole) says how much to take out, by the box, not "0 characters left", which reads as full
and fine; shortened under the limit, it counts what is left again."""

from __future__ import annotations

import asyncpg
from playwright.async_api import expect

from tests.browser.conftest import NewPage
from tests.browser.test_offline import mias_page
from tests.browser.ui import swap_with_mia

JOINED = "Met at the Lisbon summit. " * 86  # 2,236 characters, as a merge can leave it


async def test_a_note_over_the_limit_says_how_much_to_take_out(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana = await swap_with_mia(new_phone_page)
    await pool.execute("UPDATE contacts SET note = $1 WHERE owner_id = 1", JOINED)
    await mias_page(dana, kept_for_offline=False)
    note = dana.get_by_label("My private note")
    await expect(note).to_have_value(JOINED)
    counted = dana.locator("#note-left")
    await expect(counted).to_have_text("236 characters too many: shorten it to save.")
    await expect(counted).to_be_visible()

    await note.fill(JOINED[:1990])
    await expect(counted).to_have_text("10 characters left")
