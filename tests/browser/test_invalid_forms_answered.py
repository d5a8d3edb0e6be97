"""A form sent with htmx that the browser finds invalid (an empty required field, a date
past its max) is answered by the server, in words a screen reader reads: htmx stops an
invalid form without a word (base.html leaves reportValidityOfForms off), so the tap did
nothing at all (review r73). The forms are ``novalidate``: the server's message is the
answer, an alert by the field, and focus goes to the field."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.async_api import Page, expect

from tests.browser.conftest import NewPage
from tests.browser.ui import DANA, MIA, make_card_from_home, swap_with_mia

CHECKED = "[required], [min], [max], [pattern], [type=email], [type=url], [type=number]"
SILENT_FORMS = """(checked) => Array.from(document.querySelectorAll("form[hx-post], form[hx-get]"))
  .filter((form) => !form.noValidate && form.querySelector(checked))
  .map((form) => form.getAttribute("hx-post") || form.getAttribute("hx-get"))"""


async def silent_forms(page: Page) -> list[str]:
    """The htmx forms on the page that the browser would stop without a word."""
    forms: list[str] = await page.evaluate(SILENT_FORMS, CHECKED)
    return forms


async def test_an_empty_sign_in_code_is_answered_aloud(new_phone_page: NewPage) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    phone = await new_phone_page()
    await phone.goto("/sign-in")
    await phone.get_by_label("Email on your card").fill(DANA.email)
    await phone.get_by_role("button", name="Send me a code").tap()
    code = phone.get_by_label("8-digit code from the email")
    await expect(code).to_be_visible()
    assert await silent_forms(phone) == []

    await phone.get_by_role("button", name="Sign in", exact=True).tap()  # nothing typed
    await expect(phone.get_by_role("alert")).to_have_text("Type the 8 digits from the email.")
    await expect(code).to_be_focused()
    await expect(code).to_have_attribute("aria-invalid", "true")
    await expect(code).to_have_accessible_description(
        re.compile("Type the 8 digits from the email.")
    )


async def test_a_snooze_date_out_of_range_is_answered_aloud(new_phone_page: NewPage) -> None:
    dana = await swap_with_mia(new_phone_page)
    await dana.goto("/contacts")
    await dana.get_by_role("link", name=re.compile(MIA.name)).first.tap()
    await expect(dana.get_by_role("heading", level=1, name=MIA.name)).to_be_visible()
    assert await silent_forms(dana) == []
    when = dana.get_by_label("Or on a date")
    too_far = date.today() + timedelta(days=3 * 366)  # past the picker's max
    await when.fill(too_far.isoformat())
    await dana.get_by_role("button", name="Snooze", exact=True).tap()
    said = dana.get_by_role("alert").filter(has_text="Pick a date")
    await expect(said).to_contain_text(re.compile(r"Pick a date within the next year: from "))
    await expect(when).to_be_focused()
    await expect(when).to_have_accessible_description(re.compile("Pick a date"))
    await expect(when).to_have_value(too_far.isoformat())  # kept, to be corrected


async def test_no_htmx_form_is_left_to_fail_silently(new_phone_page: NewPage) -> None:
    """The other pages with htmx forms of someone with a card (the two above are checked
    in their tests): none has a form the browser would check that is not ``novalidate``."""
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    for path in ("/share", "/card", "/settings", "/tap"):
        await dana.goto(path)
        assert await silent_forms(dana) == [], path
