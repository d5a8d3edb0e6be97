"""A card field is checked as it is left. On slow venue Wi-Fi the answer can come after the
person went back to the field and fixed a typo: that answer (the field as the server read
it) put the typo back, and Save saved it. The check's error is also said, not only shown."""

from __future__ import annotations

import asyncio
import re

from playwright.async_api import Page, Route, expect

from tests.browser.conftest import NewPage
from tests.browser.ui import DANA, card_form, make_card_from_home, name_input

# How many field checks have been answered (and swapped in, or not) on this page.
COUNT_CHECKS = """document.addEventListener("htmx:afterRequest", (event) => {
  const config = event.detail.requestConfig;
  if (config && config.path.includes("/card/check/")) window.__checks = (window.__checks || 0) + 1;
});"""


async def checks_answered(page: Page, count: int) -> None:
    await page.wait_for_function(f"() => (window.__checks || 0) >= {count}")
    await page.wait_for_timeout(100)  # settled (htmx settles 20 ms after the swap)


async def test_a_late_check_never_puts_back_what_the_person_fixed(
    new_phone_page: NewPage,
) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    await dana.add_init_script(COUNT_CHECKS)
    await dana.goto("/card/edit")
    release = asyncio.Event()
    held = asyncio.Event()

    async def slow_first_check(route: Route) -> None:
        if not held.is_set():  # the first check only: venue Wi-Fi at its worst
            held.set()
            await release.wait()
        await route.continue_()

    await dana.route("**/card/check/*", slow_first_check)
    form = card_form(dana)
    name = name_input(form)
    await name.fill("Dana Smiht")
    await form.get_by_label("Role or headline").tap()  # leaving Name: its check is sent
    await asyncio.wait_for(held.wait(), 10)
    await name.tap()  # back to fix the typo while the check is on its way
    await name.press("End")
    await name.press("Backspace")
    await name.press("Backspace")
    await name.press_sequentially("th")
    await expect(name).to_have_value("Dana Smith")
    release.set()
    await checks_answered(dana, 1)
    await expect(name_input(card_form(dana))).to_have_value("Dana Smith")

    save = dana.get_by_role("button", name="Save my card")
    await save.scroll_into_view_if_needed()
    await save.tap()
    await expect(dana.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    await expect(dana.get_by_text("Dana Smith", exact=True).first).to_be_visible()
    await expect(dana.get_by_text("Dana Smiht")).to_have_count(0)
    await dana.goto("/card/edit")
    await expect(name_input(card_form(dana))).to_have_value("Dana Smith")


async def test_a_check_answered_on_time_still_shows_and_says_its_error(
    new_phone_page: NewPage,
) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    await dana.goto("/card/edit")
    form = card_form(dana)
    email = form.get_by_label("Email", exact=True)
    await email.fill("not-an-email")
    async with dana.expect_response("**/card/check/*"):
        await form.get_by_label("Phone", exact=True).focus()  # leaving Email
    error = dana.locator("#err-email")
    await expect(error).to_have_attribute("role", "alert")
    await expect(dana.get_by_role("alert")).to_contain_text(re.compile(r"email", re.I))
    email = card_form(dana).get_by_label("Email", exact=True)
    await expect(email).to_have_attribute("aria-invalid", "true")
    await expect(email).to_have_attribute("aria-describedby", re.compile(r"\berr-email\b"))
    await expect(email).to_have_value("not-an-email")  # what was typed, shown with its error
    # Put right: the error goes, and the field is no longer marked.
    await email.fill("dana@example.org")
    async with dana.expect_response("**/card/check/*"):
        await card_form(dana).get_by_label("Phone", exact=True).focus()
    await expect(error).to_have_count(0)
    await expect(card_form(dana).get_by_label("Email", exact=True)).not_to_have_attribute(
        "aria-invalid", "true"
    )
