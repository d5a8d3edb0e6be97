"""Signing out of a card's last way in, on a phone-sized screen: Dana made her card with a
phone number only, in this one browser, with no passkey. Settings says by "Sign out of this
device" that it is the only way into her card, with links to what would add one; signing
out asks twice, and the page after says plainly that nobody can open the card again, not
"Your account is still yours"."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.browser.axe import axe_violations, describe_violations
from tests.browser.conftest import NewPage
from tests.browser.test_sign_in import open_settings
from tests.browser.ui import Card, make_card_from_home

FITS_THE_SCREEN = "() => document.documentElement.scrollWidth <= window.innerWidth"
PHONE_ONLY = Card(name="Dana Lee", headline="Recruiter", phone="+1 415 555 0134")


async def test_signing_out_of_the_only_way_in_is_said_and_asked_twice(
    new_phone_page: NewPage,
) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, PHONE_ONLY)
    await open_settings(dana)
    warning = dana.locator("#only-way-in")
    await expect(warning).to_contain_text("This device is the only way into your card.")
    await expect(warning.get_by_role("link", name="add a passkey")).to_be_visible()
    await expect(warning.get_by_role("link", name="add your email to your card")).to_be_visible()
    await expect(warning.get_by_role("link", name="move it to another phone")).to_be_visible()
    # No one-tap sign-out: "Sign out anyway" shows only once "Sign out of this device…" opens.
    await expect(dana.get_by_role("button", name="Sign out of this device")).to_have_count(0)
    anyway = dana.get_by_role("button", name="Sign out anyway")
    await expect(anyway).to_be_hidden()
    await dana.get_by_text("Sign out of this device…").tap()
    await expect(anyway).to_be_visible()
    violations = await axe_violations(dana)
    assert not violations, describe_violations("settings", violations)
    assert await dana.evaluate(FITS_THE_SCREEN), "Settings scrolls sideways"
    await anyway.tap()
    await expect(dana.get_by_role("heading", level=1, name="You are signed out")).to_be_visible()
    said = dana.get_by_role("status").filter(has_text="no longer")
    await expect(said).to_contain_text("Nobody can open your card again, not even you")
    await expect(said).not_to_contain_text("Your account is still yours")
    await expect(dana).to_have_url(re.compile(r"/sign-out$"))
