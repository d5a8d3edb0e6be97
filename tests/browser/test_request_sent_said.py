""" "Request to connect" said once in #flash, the live region there from the start, where the
person asked is in both of "Who can help me"'s lists: one tap, one note, not one per list (the
other list's button goes quietly), and focus stays on the "Request sent." line that came back
for the button."""

from __future__ import annotations

from dataclasses import replace

from playwright.async_api import expect

from tests.browser.conftest import NewPage
from tests.browser.test_contact_saves_said import flash
from tests.browser.test_event_story import ANA, BEN, OLGA, create_event, join_with_a_card
from tests.browser.ui import assert_same_document, make_card_from_home, mark_document


async def test_a_request_from_two_lists_of_matches_is_said_once(
    new_phone_page: NewPage,
) -> None:
    olga = await new_phone_page()
    await make_card_from_home(olga, OLGA)
    await create_event(olga)
    link = await olga.locator("#join-link").input_value()
    ana, ben = await new_phone_page(), await new_phone_page()
    # Ana can help Ben (recruiters) and Ben can help Ana (a designer): she is in both lists.
    await make_card_from_home(ana, replace(ANA, looking_for="A designer for my online shop"))
    await join_with_a_card(ana, link)
    await make_card_from_home(ben, replace(BEN, can_help_with="Designing online shops"))
    await join_with_a_card(ben, link)

    await ben.get_by_role("link", name="Who can help me").tap()
    asks = ben.get_by_role("button", name=f"Request to connect with {ANA.name}")
    await expect(asks).to_have_count(2)
    # htmx at work before the tap: sooner, the form posts as a plain one.
    await ben.wait_for_load_state("load")
    await mark_document(ben)
    await expect(flash(ben)).to_have_count(0)
    await asks.first.focus()
    await ben.keyboard.press("Enter")
    await expect(asks).to_have_count(0)
    await expect(flash(ben)).to_have_text(
        [f"Request sent to {ANA.name}. They will see it in their requests."]
    )
    # Where the button was: its line, focused (app.js), not the top of the page.
    focused = ben.locator("main :focus")
    await expect(focused).to_have_text("Request sent.")
    await expect(ben.locator("main").get_by_text("Request sent.", exact=True)).to_have_count(2)
    await expect(flash(ben)).to_have_count(1)
    await assert_same_document(ben)
