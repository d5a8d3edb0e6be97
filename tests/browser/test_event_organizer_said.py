"""What a screen reader hears on an event's pages: "In your contacts" says whose (a list of
people had one such link each, all named alike), and "Close the event" says it is done,
as Save and "New join code" do (review r73)."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.browser.conftest import NewPage
from tests.browser.test_event_story import OLGA, create_event, join_with_a_card
from tests.browser.ui import MIA, make_card_from_home, share_link


async def test_in_your_contacts_names_whom(new_phone_page: NewPage) -> None:
    olga = await new_phone_page()
    await make_card_from_home(olga, OLGA)
    her_card = await share_link(olga)
    event_id = await create_event(olga)
    join_link = await olga.locator("#join-link").input_value()
    mia = await new_phone_page()
    await make_card_from_home(mia, MIA)
    await mia.goto(her_card)
    await mia.get_by_role("button", name="Swap details").tap()
    await expect(mia).to_have_url(re.compile(r"/contacts/\d+\?notice=swapped$"))
    await join_with_a_card(mia, join_link)

    await olga.goto(f"/events/{event_id}")
    await olga.get_by_role("link", name="People here").tap()
    link = olga.get_by_role("link", name=f"In your contacts: {MIA.name}", exact=True)
    await expect(link).to_have_text("In your contacts")  # the name starts with the words seen
    await link.tap()
    await expect(olga.get_by_role("heading", level=1, name=MIA.name)).to_be_visible()


async def test_closing_the_event_is_said(new_phone_page: NewPage) -> None:
    olga = await new_phone_page()
    await make_card_from_home(olga, OLGA)
    event_id = await create_event(olga)
    await olga.locator("summary", has_text="Close the event").tap()
    await olga.get_by_role("button", name="Close the event").tap()
    await expect(olga).to_have_url(re.compile(rf"/events/{event_id}\?notice=event_closed$"))
    await expect(olga.get_by_role("status").filter(has_text="Event closed.")).to_have_text(
        "Event closed. Nobody new can join, by code or poster; the people here stay."
    )
    await expect(olga.get_by_text("This event is closed: nobody new can join.")).to_be_visible()
