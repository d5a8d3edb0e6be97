"""What a keyboard or screen-reader user on a phone meets after a step (review r59): focus
where the next thing to do is, not back at the top of the page, and what happened said.
Undo after Remove, and its window ending; a passkey prompt cancelled; a search's answer; the
"we emailed you a code" step."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from tests.browser.conftest import NewPage
from tests.browser.test_passkeys import keychain
from tests.browser.test_take_back import dana_and_mia_swapped
from tests.browser.ui import DANA, make_card_from_home

# What has focus: "BODY" when it fell to the top of the page.
FOCUSED = "() => document.activeElement ? document.activeElement.tagName : null"


async def removed_dana(new_phone_page: NewPage) -> Page:
    """Mia, having removed Dana: on Contacts with "Removed Dana Lee. Undo"."""
    _, mia, _ = await dana_and_mia_swapped(new_phone_page)
    # Undo's window is a page timer (10 s): the tests move the page's clock on.
    await mia.clock.install()
    await mia.get_by_role("button", name="Remove Dana Lee").tap()
    await expect(mia).to_have_url(re.compile(r"/contacts\?removed=\d+$"))
    return mia


async def test_undo_has_focus_after_remove(new_phone_page: NewPage) -> None:
    mia = await removed_dana(new_phone_page)
    undo = mia.get_by_role("button", name="Undo")
    # Focus starts on Undo, which is read with what it undoes.
    await expect(undo).to_be_focused()
    await expect(undo).to_have_accessible_description("Removed Dana Lee.")


async def test_undo_in_focus_when_its_time_is_up_leaves_focus_on_the_notice(
    new_phone_page: NewPage,
) -> None:
    mia = await removed_dana(new_phone_page)
    undo = mia.get_by_role("button", name="Undo")
    await undo.focus()
    await mia.clock.run_for(11_000)
    await expect(undo).to_be_hidden()
    notice = mia.get_by_role("status").filter(has_text="Removed Dana Lee.")
    await expect(notice).to_contain_text("Too late to undo.")
    # Focus went with Undo to the notice, not to the top of the page or a hidden button.
    await expect(notice).to_be_focused()


async def test_a_cancelled_passkey_prompt_leaves_focus_on_its_button(
    new_phone_page: NewPage,
) -> None:
    page = await new_phone_page()
    # A keychain with no passkey for Reachout: the prompt ends as if cancelled.
    await keychain(page)
    await page.goto("/sign-in")
    button = page.get_by_role("button", name="Sign in with a passkey")
    await button.focus()
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("alert")).to_contain_text("No passkey was used")
    await expect(button).to_be_focused()
    assert await page.evaluate(FOCUSED) == "BUTTON"


async def test_each_search_answer_is_said_in_a_status_line(new_phone_page: NewPage) -> None:
    dana, _, _ = await dana_and_mia_swapped(new_phone_page)
    await dana.goto("/contacts")
    said = dana.locator("#contact-count[role=status]")
    await expect(said).to_have_text("")
    # One live region that stays: replaced, it would not be read out.
    await said.evaluate("(line) => { line.dataset.kept = 'yes'; }")
    search = dana.get_by_label("Search by name, role or company")
    await search.fill("Mia")
    await expect(said).to_have_text("1 person")
    await search.fill("zzz")
    await expect(said).to_have_text("No matches.")
    await expect(dana.locator("#contact-list")).to_have_text("Nobody matches “zzz”.")
    await expect(dana.locator("#contact-count")).to_have_count(1)
    await expect(said).to_have_attribute("data-kept", "yes")
    await expect(dana.locator("#contact-list #contact-count")).to_have_count(0)


async def _ask_for_a_code(page: Page) -> None:
    await page.goto("/sign-in")
    await page.get_by_label("Email on your card").fill(DANA.email)
    await page.get_by_role("button", name="Send me a code").tap()
    await expect(page).to_have_url(re.compile(r"/sign-in/code\?"))


async def test_the_code_step_has_its_own_title_and_focus_on_the_code(
    new_phone_page: NewPage,
) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    page = await new_phone_page()
    await _ask_for_a_code(page)
    await expect(page).to_have_title("Type your code · Reachout")
    await expect(page.get_by_label("8-digit code from the email")).to_be_focused()
    # The first step keeps its own.
    await page.goto("/sign-in")
    await expect(page).to_have_title("I already have a card · Reachout")
