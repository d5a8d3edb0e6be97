"""A switch saved as soon as it is flipped (its form replaces itself with the server's answer),
flipped again before the first answer came on slow venue Wi-Fi: that first answer put the
switch back as the first tap left it, and the second tap was lost. What the person chose last
is what the page shows and what is saved."""

from __future__ import annotations

import asyncio
import re

import asyncpg
from playwright.async_api import Page, Route, expect

from tests.browser.conftest import NewPage
from tests.browser.ui import DANA, MIA, contact_links, make_card_from_home, swap_with_mia


async def hold_first_post(
    page: Page, url: str | re.Pattern[str]
) -> tuple[asyncio.Event, asyncio.Event]:
    """The first post to ``url`` waits for the returned event to be set (the second goes at
    once); the other event is set once the first is held. On the context: a page under the
    service worker sends through it, which ``page.route`` does not see."""
    release = asyncio.Event()
    held = asyncio.Event()

    async def slow_first(route: Route) -> None:
        if route.request.method == "POST" and not held.is_set():
            held.set()
            await release.wait()
        await route.continue_()

    await page.context.route(url, slow_first)
    return release, held


async def test_ask_first_flipped_twice_quickly_keeps_the_last_choice(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    await dana.wait_for_load_state("load")  # htmx at work
    release, held = await hold_first_post(dana, "**/share/ask-first")
    switch = dana.get_by_role("checkbox", name="Ask for their details first.", exact=False)
    await expect(switch).not_to_be_checked()
    await switch.tap()  # on: sent, its answer slow
    await asyncio.wait_for(held.wait(), 10)
    await switch.tap()  # off again, before the first answer came
    await expect(switch).not_to_be_checked()
    release.set()

    # Said only in the answer to the second tap (the first's says "On").
    await expect(dana.locator("#ask-first").get_by_role("status")).to_have_text(
        "Off: they see your whole card."
    )
    await expect(switch).not_to_be_checked()
    asks = await pool.fetchval("SELECT ask_details_first FROM cards WHERE name = $1", DANA.name)
    assert asks is False
    await dana.reload()
    await expect(switch).not_to_be_checked()


async def test_what_they_see_chosen_twice_quickly_keeps_the_last_choice(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana = await swap_with_mia(new_phone_page)
    await dana.goto("/contacts")
    await contact_links(dana).filter(has_text=MIA.name).tap()
    await expect(dana.get_by_role("heading", level=1, name=MIA.name)).to_be_visible()
    await dana.wait_for_load_state("load")
    release, held = await hold_first_post(dana, re.compile(r"/contacts/\d+/sharing$"))
    sharing = dana.locator("#sharing")
    everything = sharing.get_by_role("radio", name="All my card")
    basics = sharing.get_by_role("radio", name="Name and headline only")
    await expect(everything).to_be_checked()
    await basics.tap()  # sent, its answer slow
    await asyncio.wait_for(held.wait(), 10)
    await everything.tap()  # changed her mind before the first answer came
    release.set()

    # Said only in the answer to the second tap (the first's says "name and headline").
    await expect(sharing.get_by_role("status")).to_contain_text("now sees all your card")
    await expect(everything).to_be_checked()
    shared = await pool.fetchval(
        "SELECT ct.sharing FROM contacts ct JOIN cards c ON c.account_id = ct.contact_id"
        " WHERE c.name = $1",
        MIA.name,
    )
    assert shared == "all"
    await dana.reload()
    await expect(dana.locator("#sharing").get_by_role("radio", name="All my card")).to_be_checked()
