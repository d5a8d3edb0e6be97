"""What a screen reader hears after "Request to connect" on an event's list of people: the
"Request sent." status swapped in for the button is often not read, and #flash, the live
region there from the start, stayed empty. Now it says whom the request went to, as the
other buttons that change a part of the page do (data-sent)."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import NewPage
from tests.browser.test_contact_saves_said import flash
from tests.browser.test_event_story import OLGA, create_event, join_with_a_card
from tests.browser.ui import MIA, assert_same_document, make_card_from_home, mark_document


async def test_a_request_to_connect_is_said_in_flash(new_phone_page: NewPage) -> None:
    olga = await new_phone_page()
    await make_card_from_home(olga, OLGA)
    event_id = await create_event(olga)
    link = await olga.locator("#join-link").input_value()
    mia = await new_phone_page()
    await make_card_from_home(mia, MIA)
    await join_with_a_card(mia, link)

    await mia.goto(f"/events/{event_id}/people")
    # htmx at work before the tap: sooner, the form posts as a plain one.
    await mia.wait_for_load_state("load")
    await mark_document(mia)
    await expect(flash(mia)).to_have_count(0)
    ask = mia.get_by_role("button", name=f"Request to connect with {OLGA.name}")
    await ask.focus()
    await mia.keyboard.press("Enter")
    await expect(flash(mia)).to_have_text(
        f"Request sent to {OLGA.name}. They will see it in their requests."
    )
    await expect(ask).to_have_count(0)
    # Said there once: the line swapped in for the button is focused, not a second status.
    await expect(mia.get_by_text("Request sent.", exact=True)).to_be_focused()
    await expect(mia.get_by_role("status").filter(has_text="Request sent.")).to_have_count(0)
    await assert_same_document(mia)
