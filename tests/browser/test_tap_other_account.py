"""A code typed on a Tap page opened for one card, after another tab switched this phone to
another card: refused in the page's words, never swapped as the card signed in now (tap.js
sends the page's account with the form, as its queued copy names it)."""

from __future__ import annotations

import asyncpg
from playwright.async_api import expect

from server.tap.routes import ELSEWHERE
from tests.browser.conftest import NewPage
from tests.browser.test_tap import my_code, open_tap, type_code
from tests.browser.ui import DANA, MIA, SAM, make_card_from_home


async def test_a_code_typed_on_the_page_of_the_card_signed_in_before_swaps_nobody(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    await open_tap(dana)
    code = await my_code(dana)
    sam = await new_phone_page()
    await make_card_from_home(sam, SAM)
    await open_tap(sam)
    await sam.wait_for_load_state("load")  # htmx and tap.js at work
    # Another tab of Sam's phone signs in to Mia's card (her session, on this phone).
    mia = await new_phone_page()
    await make_card_from_home(mia, MIA)
    await sam.context.add_cookies(await mia.context.cookies())

    await type_code(sam, code)
    await expect(sam.get_by_text(ELSEWHERE)).to_be_visible()
    swapped = await pool.fetchval(
        "SELECT count(*) FROM contacts ct JOIN cards c ON c.account_id = ct.owner_id"
        " WHERE c.name = ANY($1::text[])",
        [MIA.name, SAM.name],
    )
    assert swapped == 0
