"""Settings saved from a page opened for one card, after another tab switched this phone to
another card: refused, said in the page's notices (#flash), the form left as it was, and
nothing saved onto the card signed in now; never "Your settings are saved and in use."."""

from __future__ import annotations

import asyncpg
from playwright.async_api import expect

from server.followups.wording import REMINDERS_BY
from tests.browser.conftest import NewPage
from tests.browser.ui import DANA, MIA, make_card_from_home

NEITHER = REMINDERS_BY["neither"]


async def test_save_on_the_page_of_the_card_signed_in_before_saves_nothing(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    await dana.goto("/settings")
    await dana.wait_for_load_state("load")  # htmx at work
    # Another tab of Dana's phone signs in to Mia's card (her session, on this phone).
    mia = await new_phone_page()
    await make_card_from_home(mia, MIA)
    await dana.context.add_cookies(await mia.context.cookies())
    mias = await pool.fetchval(
        "SELECT a.reminders_by FROM accounts a JOIN cards c ON c.account_id = a.id"
        " WHERE c.name = $1",
        MIA.name,
    )

    preferences = dana.locator("#preferences")
    await preferences.get_by_label(NEITHER, exact=True).check()
    await preferences.get_by_role("button", name="Save reminder settings", exact=True).click()
    flash = dana.locator("#flash")
    await expect(flash).to_contain_text("Opened for another card")
    await expect(flash).to_contain_text("so nothing was changed")
    await expect(flash).not_to_contain_text("saved and in use")
    await expect(preferences.get_by_label(NEITHER, exact=True)).to_be_checked()
    assert (
        await pool.fetchval(
            "SELECT a.reminders_by FROM accounts a JOIN cards c ON c.account_id = a.id"
            " WHERE c.name = $1",
            MIA.name,
        )
        == mias
    )
