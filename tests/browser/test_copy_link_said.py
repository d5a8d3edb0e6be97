"""The "Copy link" button as a screen reader hears it: "Link copied." said in the page's
status line (the button renamed under her finger said nothing), the button's words back a
few seconds later for the next copy, and a copy the browser refused said too, not left to
be pasted as nothing (review r73)."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import NewPage
from tests.browser.ui import DANA, make_card_from_home

REFUSED = (
    "navigator.clipboard.writeText = () =>"
    " Promise.reject(new DOMException('refused', 'NotAllowedError'));"
)


async def test_copy_link_is_said_and_the_button_comes_back(new_phone_page: NewPage) -> None:
    dana = await new_phone_page()
    await dana.context.grant_permissions(["clipboard-read", "clipboard-write"])
    await make_card_from_home(dana, DANA)
    link = await dana.locator("#share-link").input_value()
    await dana.get_by_role("button", name="Copy link").tap()
    await expect(dana.get_by_role("status").filter(has_text="Link copied")).to_have_text(
        "Link copied."
    )
    assert await dana.evaluate("() => navigator.clipboard.readText()") == link
    # A few seconds later, ready for the next copy.
    await expect(dana.get_by_role("button", name="Copy link")).to_be_visible(timeout=8000)
    await expect(dana.get_by_role("status").filter(has_text="Link copied")).to_have_count(0)


async def test_a_refused_copy_is_said(new_phone_page: NewPage) -> None:
    dana = await new_phone_page()
    await dana.context.add_init_script(REFUSED)
    await make_card_from_home(dana, DANA)
    await dana.get_by_role("button", name="Copy link").tap()
    await expect(dana.get_by_role("status").filter(has_text="could not be copied")).to_have_text(
        "The link could not be copied. Copy it from its box on this page instead."
    )
    await expect(dana.get_by_role("button", name="Copy link")).to_be_visible()
