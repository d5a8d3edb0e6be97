"""The venue's network loses the answer to "Join the event" from someone with no account, and
she taps it again: the organizer's list of people has her once, and her phone is signed in
to the card the first tap made. What makes it so is the try's key, which app.js puts in the
join form (as in the share link's "Leave your details": test_send_again.py)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs

from playwright.async_api import Route, expect

from tests.browser.conftest import NewPage
from tests.browser.test_event_story import OLGA, create_event, join_form
from tests.browser.ui import MIA, make_card_from_home, name_input

# What app.js makes: a UUID, or the same 128 bits as 32 hex digits (newKey()).
KEY = re.compile(r"^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32})$")


async def test_join_tapped_again_after_a_lost_answer_lists_her_once(
    new_phone_page: NewPage,
) -> None:
    olga = await new_phone_page()
    await make_card_from_home(olga, OLGA)
    event_id = await create_event(olga)
    link = await olga.locator("#join-link").input_value()

    # No service worker, as in test_send_again.py: the route must see every request.
    mia = await new_phone_page(service_workers="block")
    await mia.goto(link)
    form = join_form(mia)
    await expect(form.get_by_role("heading", name="Your card")).to_be_visible()
    # Signed out, the form carries this try's key, which only app.js fills in.
    key = form.locator('input[name="attempt"]')
    await expect(key).to_have_value(KEY)
    filled = await key.input_value()
    sent_keys: list[list[str]] = []
    lost = []

    async def lose_the_first_answer(route: Route) -> None:
        if route.request.method != "POST":
            await route.continue_()
            return
        sent_keys.append(parse_qs(route.request.post_data or "").get("attempt", []))
        if lost:
            await route.continue_()
            return
        # The server gets the form and answers; the answer never reaches the phone.
        await route.fetch()
        # Playwright's fetch keeps the answer's cookie in the browser: a lost answer does not.
        await mia.context.clear_cookies()
        lost.append(route.request.url)
        await route.abort("connectionreset")

    await mia.context.route(re.compile(r"/j/[^/?]+(\?.*)?$"), lose_the_first_answer)
    await name_input(form).fill(MIA.name)
    await form.get_by_label("Email", exact=True).fill(MIA.email)
    join = form.get_by_role("button", name="Join the event")
    await join.tap()
    await expect(mia.get_by_text("The server could not be reached")).to_be_visible()
    assert lost, "the first tap reached the server"

    await join.tap()
    await expect(mia).to_have_url(re.compile(rf"/events/{event_id}\?notice=joined$"))
    await expect(mia.get_by_role("status").filter(has_text="You're in!")).to_be_visible()
    # Both taps sent the key the page filled in: the server knew the second for the first.
    assert sent_keys == [[filled], [filled]], sent_keys

    await olga.goto(f"/events/{event_id}/people")
    await expect(olga.locator("#people-list .name")).to_have_text([MIA.name])
