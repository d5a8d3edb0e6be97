"""The venue's network loses the answer to "Send my details", and Mia taps Send again: Dana
gets her once, and Mia's phone is signed in to the card the first send made."""

from __future__ import annotations

import re

from playwright.async_api import Route, expect

from tests.browser.conftest import NewPage
from tests.browser.ui import DANA, MIA, contact_links, make_card_from_home, name_input, share_link


async def test_send_again_after_a_lost_answer_makes_one_card(new_phone_page: NewPage) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    link = await share_link(dana)

    # No service worker: Playwright cannot be sure its route sees every request with one in
    # charge (a request now and then reached the server unseen on a loaded machine), and the
    # lost answer is the page's to deal with (app.js).
    mia = await new_phone_page(service_workers="block")
    await mia.goto(link)
    lost = []

    async def lose_the_first_answer(route: Route) -> None:
        if route.request.method != "POST" or lost:
            await route.continue_()
            return
        # The server gets the details and answers; the answer never reaches the phone.
        await route.fetch()
        # Playwright's fetch keeps the answer's cookie in the browser: a lost answer does not.
        await mia.context.clear_cookies()
        lost.append(route.request.url)
        await route.abort("connectionreset")

    await mia.context.route(re.compile(r"/c/[^/]+/details$"), lose_the_first_answer)
    form = mia.locator("form", has=mia.get_by_role("heading", name="Leave your details"))
    await name_input(form).fill(MIA.name)
    await form.get_by_label("Email", exact=True).fill(MIA.email)
    send = form.get_by_role("button", name="Send my details to Dana Lee")
    await send.tap()
    await expect(mia.get_by_text("The server could not be reached")).to_be_visible()
    assert lost, "the first send reached the server"

    await send.tap()
    await expect(mia).to_have_url(re.compile(r"/welcome/\d+$"))
    await expect(mia.get_by_role("status").filter(has_text="has your details")).to_contain_text(
        "Dana Lee has your details"
    )

    await dana.goto("/contacts")
    await expect(contact_links(dana).filter(has_text=MIA.name)).to_have_count(1)
    await mia.goto("/contacts")
    await expect(contact_links(mia).filter(has_text=DANA.name)).to_have_count(1)
