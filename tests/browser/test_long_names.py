"""Long names stay inside a phone's screen: a surname of one long word (German compounds,
Greek surnames, a name typed without spaces) wraps instead of widening the page, so the
bottom tabs stay on the screen and every button stays where a thumb can reach it."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from tests.browser.conftest import NewPage
from tests.browser.ui import Card, contact_links, leave_details, make_card_from_home, scan_qr, tab

PHONE_WIDTH = 360
PHONE_HEIGHT = 740
DANA = Card(
    name="Dana Wolfeschlegelsteinhausenbergerdorff",
    headline="Fachkräfteeinwanderungsgesetzberatung",
    email="dana@example.com",
)
MIA_NAME = "Mia Christodoulopoulou-Papadimitrakopoulou"
MIA_EMAIL = "mia.christodoulopoulou.papadimitrakopoulou@example.com"


async def assert_fits_the_screen(page: Page, label: str) -> None:
    await page.wait_for_load_state("load")  # the stylesheet applied
    width = await page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{label} ({page.url}) is {width}px wide on a 360px screen"


async def assert_tabs_on_screen(page: Page, label: str) -> None:
    box = await tab(page, "Contacts").bounding_box()
    assert box is not None, f"{label}: no Contacts tab"
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE_WIDTH, f"{label}: tab off the side"
    assert box["y"] + box["height"] <= PHONE_HEIGHT, f"{label}: tab below the screen"


async def test_long_names_wrap_on_every_page_they_appear(new_phone_page: NewPage) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    await assert_fits_the_screen(dana, "share page")
    await assert_tabs_on_screen(dana, "share page")
    link = await scan_qr(dana)

    mia = await new_phone_page()
    await mia.goto(link)
    await expect(mia.get_by_role("heading", level=1, name=DANA.name)).to_be_visible()
    await assert_fits_the_screen(mia, "the card a visitor opens")
    await leave_details(mia, DANA.name, MIA_NAME, MIA_EMAIL)
    await assert_fits_the_screen(mia, "welcome page")

    await dana.goto("/contacts")
    await expect(contact_links(dana)).to_have_count(1)
    await assert_fits_the_screen(dana, "contacts list")
    await assert_tabs_on_screen(dana, "contacts list")

    await contact_links(dana).first.tap()
    await expect(dana.get_by_role("heading", level=1, name=MIA_NAME)).to_be_visible()
    await assert_fits_the_screen(dana, "contact page")
    await assert_tabs_on_screen(dana, "contact page")

    await tab(dana, "Follow-ups").tap()
    await expect(dana).to_have_url(re.compile(r"/followups$"))
    await expect(dana.get_by_text(MIA_NAME).first).to_be_visible()
    await assert_fits_the_screen(dana, "follow-ups")
    await assert_tabs_on_screen(dana, "follow-ups")

    await tab(dana, "My card").tap()
    await expect(dana.get_by_role("heading", level=2, name=DANA.name)).to_be_visible()
    await assert_fits_the_screen(dana, "my card")
