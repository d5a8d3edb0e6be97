"""Sign in's email and the Move code, sent empty or malformed, are answered in the page as
every other form's are: the server's words by the field, an alert, and focus on the field;
not the browser's own popup, which a screen reader may not read and which speaks the
phone's language rather than the page's."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from tests.browser.conftest import NewPage


async def answered_by_the_field(page: Page, label: str, says: str) -> None:
    field = page.get_by_label(label)
    await expect(page.get_by_role("alert")).to_have_text(says)
    await expect(field).to_be_focused()
    await expect(field).to_have_attribute("aria-invalid", "true")
    await expect(field).to_have_accessible_description(re.compile(re.escape(says)))


async def test_an_empty_or_malformed_email_is_said_in_the_page(new_phone_page: NewPage) -> None:
    phone = await new_phone_page()
    await phone.goto("/sign-in")
    await phone.get_by_role("button", name="Send me a code").tap()  # nothing typed
    await answered_by_the_field(phone, "Email on your card", "Type the email address on your card.")
    await phone.get_by_label("Email on your card").fill("nope")
    await phone.get_by_role("button", name="Send me a code").tap()
    await answered_by_the_field(
        phone, "Email on your card", "That email address does not look right."
    )
    await expect(phone.get_by_label("Email on your card")).to_have_value("nope")


async def test_an_empty_move_code_is_said_in_the_page(new_phone_page: NewPage) -> None:
    phone = await new_phone_page()
    await phone.goto("/move/enter")
    await phone.get_by_role("button", name="Sign in here").tap()  # nothing typed
    await answered_by_the_field(
        phone,
        "Code from your other phone",
        "Type the code your other phone shows: 8 letters and digits, like 7QA2-7KHB.",
    )
