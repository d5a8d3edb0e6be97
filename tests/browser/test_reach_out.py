""" "Reach out" in a real browser, with and without JavaScript.

Without JavaScript the form POST used to be answered with a redirect to ``mailto:``, which
the CSP's ``form-action 'self'`` makes Chromium refuse: the tap did nothing. Now it lands
on a page with the link as one big button. With JavaScript, htmx updates the follow-up in
place and the app opens the link.
"""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from tests.browser.conftest import NewPage
from tests.browser.ui import (
    DANA,
    MIA,
    assert_same_document,
    contact_links,
    make_card_from_home,
    mark_document,
    share_link,
)


async def dana_on_mias_contact_page(new_phone_page: NewPage, **options: object) -> Page:
    dana = await new_phone_page(**options)
    await make_card_from_home(dana, DANA)
    link = await share_link(dana)
    mia = await new_phone_page()
    await make_card_from_home(mia, MIA)
    await mia.goto(link)
    await mia.get_by_role("button", name="Swap details").tap()
    await expect(mia).to_have_url(re.compile(r"/contacts/\d+\?notice=swapped$"))
    await dana.goto("/contacts")
    await contact_links(dana).filter(has_text=MIA.name).tap()
    await expect(dana.get_by_role("heading", level=1, name=MIA.name)).to_be_visible()
    return dana


async def test_without_javascript_reach_out_offers_the_link(new_phone_page: NewPage) -> None:
    dana = await dana_on_mias_contact_page(new_phone_page, java_script_enabled=False)
    refused: list[str] = []
    dana.on("console", lambda message: refused.append(message.text))
    reach_out = dana.get_by_role("region", name="Reach out")
    await reach_out.get_by_role("button", name="Email Mia Chen", exact=True).tap()

    await expect(dana.get_by_role("heading", level=1, name="Write to Mia Chen")).to_be_visible()
    button = dana.get_by_role("link", name="Open your email app to write to Mia")
    await expect(button).to_be_visible()
    href = await button.get_attribute("href")
    assert href is not None and href.startswith("mailto:mia@example.com?subject="), href
    await expect(dana.get_by_role("status").filter(has_text="marked done")).to_be_visible()
    # A thumb-sized target on a phone.
    box = await button.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 200, box
    assert not [text for text in refused if "Content Security Policy" in text], refused

    await dana.get_by_role("link", name="Back to Mia Chen").tap()
    await expect(dana.get_by_role("heading", level=1, name=MIA.name)).to_be_visible()


async def test_with_javascript_reach_out_updates_in_place_and_opens_the_link(
    new_phone_page: NewPage,
) -> None:
    dana = await dana_on_mias_contact_page(new_phone_page)
    await mark_document(dana)
    # What app.js would hand to the phone's mail app; navigation to mailto: goes nowhere here.
    await dana.evaluate(
        """() => document.addEventListener("reachout:open",
             (event) => { window.__opened = event.detail.value; })"""
    )
    reach_out = dana.get_by_role("region", name="Reach out")
    await reach_out.get_by_role("button", name="Email Mia Chen", exact=True).tap()
    await expect(dana.get_by_role("button", name="Undo")).to_be_visible()
    # htmx fires the event after the swap settles, a moment after "Undo" shows.
    opened = await (await dana.wait_for_function("() => window.__opened")).json_value()
    assert opened.startswith("mailto:mia@example.com?subject=Great%20to%20meet%20you"), opened
    await assert_same_document(dana)
