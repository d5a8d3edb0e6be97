"""Scan's "Take a photo of the code" is one control: a screen reader reads it once, as a
button of that name (the file input; its label is for the eye), and the control it
focuses is the button's size, where a 1x1 px input gave a ring a pixel wide (review r73)."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import NewPage
from tests.browser.test_accessibility import MIN_TAP_PX
from tests.browser.ui import MIA, make_card_from_home

NAME = "Take a photo of the code"


async def test_take_a_photo_is_one_control_the_size_of_its_button(
    new_phone_page: NewPage,
) -> None:
    mia = await new_phone_page()
    await make_card_from_home(mia, MIA)
    await mia.goto("/scan")
    photo = mia.locator("p.photo")
    # Read once: one button of that name, and no text beside it saying it again.
    assert await photo.aria_snapshot() == f'- paragraph:\n  - button "{NAME}"'
    control = mia.get_by_role("button", name=NAME, exact=True)
    await expect(control).to_have_count(1)
    seen = await mia.get_by_text(NAME, exact=True).bounding_box()
    focused = await control.bounding_box()
    assert seen and focused
    assert focused["width"] >= seen["width"] - 1 and focused["height"] >= seen["height"] - 1
    assert focused["height"] >= MIN_TAP_PX
    # Its ring, on the keyboard, is the button's.
    await control.focus()
    await mia.keyboard.press("Shift+Tab")
    await mia.keyboard.press("Tab")
    await expect(control).to_be_focused()
    ring = await mia.get_by_text(NAME, exact=True).evaluate(
        "(label) => getComputedStyle(label).outlineWidth"
    )
    assert ring == "3px", ring
