"""A double tap sends a form once: its button is disabled while the request is on its way.

Before, htmx queued the second tap's post behind the first, so a guest typed in once was
saved twice."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import asyncpg
from playwright.async_api import Page, Route, expect

from tests.browser.conftest import NewPage
from tests.browser.test_take_back import dana_and_mia_swapped
from tests.browser.ui import DANA, DOUBLE_TAP, make_card_from_home, name_input
from tests.waiting import eventually


async def double_tap(page: Page, name: str) -> None:
    button = page.get_by_role("button", name=name)
    await button.evaluate(DOUBLE_TAP)


async def test_a_guest_saved_with_a_double_tap_is_saved_once(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    await dana.goto("/tap")
    await dana.get_by_text("Someone without the app").tap()
    form = dana.locator("#guest-form")
    await name_input(form).fill("Gus Guest")
    await form.get_by_label("Email", exact=True).fill("gus@example.com")
    await double_tap(dana, "Save their details")
    await expect(dana.get_by_role("heading", level=1, name="Gus Guest")).to_be_visible()
    await dana.goto("/contacts")
    await expect(dana.locator("#contact-list").get_by_role("link")).to_have_count(1)
    assert await pool.fetchval("SELECT count(*) FROM cards WHERE name = 'Gus Guest'") == 1


async def test_a_double_tap_on_a_form_that_opens_a_page_posts_once(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    """Remove on a slow network: the second tap used to post again, and the page shown was its
    answer, "That contact is not in your list", with no Undo for the removal that worked."""

    # The slow network is a route, which Playwright cannot be sure to see with a service
    # worker in charge (it passes this form's POST on, and a request now and then reached
    # the server unseen on a loaded machine); what is asserted here is the page's.
    async def phone_routing_every_request(**options: Any) -> Page:
        return await new_phone_page(service_workers="block", **options)

    _, mia, _ = await dana_and_mia_swapped(phone_routing_every_request)
    posted: list[str] = []

    async def slow(route: Route) -> None:
        posted.append(route.request.method)
        # The venue's Wi-Fi: the answer comes after the second tap.
        await eventually(lambda: asyncio.sleep(0, tapped_again.is_set()), "a second tap")
        await route.continue_()

    tapped_again = asyncio.Event()
    await mia.expose_function("tappedAgain", tapped_again.set)
    await mia.context.route("**/contacts/*/remove", slow)
    # Two taps a moment apart, the first still on its way (two clicks in one task are one
    # navigation to the browser).
    await mia.get_by_role("button", name="Remove Dana Lee").evaluate(
        """(button) => {
          button.click();
          setTimeout(() => { button.click(); window.tappedAgain(); }, 150);
        }"""
    )
    await expect(mia).to_have_url(re.compile(r"/contacts\?removed=\d+$"))
    await expect(mia.get_by_role("status").filter(has_text="Removed")).to_contain_text(
        "Removed Dana Lee."
    )
    await expect(mia.get_by_role("button", name="Undo")).to_be_visible()
    assert posted == ["POST"]
    assert await pool.fetchval("SELECT count(*) FROM contact_removals") == 1
