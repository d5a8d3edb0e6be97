"""Swap details with a card that asks for details first, in a real browser: the page says it
went to them and waits for them to accept, never "you have theirs"."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.browser.conftest import NewPage
from tests.browser.ui import DANA, MIA, make_card_from_home, scan_qr


async def test_swap_details_with_a_card_that_asks_first_says_sent_and_waiting(
    new_phone_page: NewPage,
) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    await dana.wait_for_load_state("load")  # htmx at work
    await dana.get_by_role("checkbox", name="Ask for their details first.", exact=False).check()
    await expect(dana.locator("#ask-first").get_by_role("status")).to_have_text(
        "On: they leave their details first."
    )
    link = await scan_qr(dana)

    mia = await new_phone_page()
    await make_card_from_home(mia, MIA)
    await mia.goto(link)
    await mia.get_by_role("button", name="Swap details").tap()

    await expect(mia).to_have_url(re.compile(r"/contacts/\d+\?notice=swap_sent$"))
    await expect(mia.get_by_role("status").filter(has_text="Sent!")).to_have_text(
        "Sent! Dana Lee has your card. You'll see all their card once they accept."
    )
    await expect(mia.get_by_text("you have theirs")).to_have_count(0)
    card = mia.get_by_role("region", name="Dana Lee's card")
    await expect(card).to_contain_text(
        "Waiting for Dana Lee to accept: you'll see all their card once they do."
    )
    await expect(card.get_by_role("link", name="Email dana@example.com")).to_have_count(0)
