"""The share page's word on NFC tags ("keep working until you make a new code") shows only
where the browser can write one: with the NFC button, never beside a button that is not
there."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import NewPage
from tests.browser.test_nfc import WRITE_BUTTON, nfc_phone
from tests.browser.ui import DANA, make_card_from_home

NOTE = "NFC tags you wrote keep working until you make a new code"


async def test_the_tag_note_shows_with_the_nfc_button(new_phone_page: NewPage) -> None:
    dana = await nfc_phone(new_phone_page)
    await make_card_from_home(dana, DANA)
    await expect(dana.get_by_role("button", name=WRITE_BUTTON)).to_be_visible()
    await expect(dana.get_by_text(NOTE)).to_be_visible()


async def test_no_tag_note_without_web_nfc(new_phone_page: NewPage) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    await expect(dana.get_by_role("link", name="Scan their code")).to_be_visible()
    await expect(dana.get_by_role("button", name=WRITE_BUTTON)).to_be_hidden()
    await expect(dana.get_by_text(NOTE)).to_be_hidden()
