"""Adding a passkey, as a screen reader follows it: Dana, whose address is confirmed, taps "Add
a passkey" in Settings, is led to "Confirm it's you", where focus starts on the code's field
once the code is sent; typed, she is back at "Add a passkey", focus on it; added, the page
says so (a status, focus on it), and "It's you: confirmed" is gone, there and after. Real
parts: the web and worker processes in development, the mail sink, Chromium's virtual
authenticator for the phone's keychain."""

from __future__ import annotations

import asyncpg
from playwright.async_api import Page, expect

from tests.browser.conftest import DevMail, DevServer, NewPage
from tests.browser.test_confirm_it_is_you import PROVE_SUBJECT
from tests.browser.test_delete_account import newest_to
from tests.browser.test_passkeys import keychain
from tests.browser.test_sign_in import open_settings
from tests.browser.ui import DANA, make_card_from_home
from tests.mailing import confirm_addresses

ADDED = "Passkey added. You can sign in with it on this device."
PROVEN = "It's you: confirmed. You can add a passkey now."


async def said_added(page: Page) -> None:
    """The page says the passkey was added, in a status, and focus is on it; the passkey is
    in the list, and "It's you: confirmed" no longer shows."""
    added = page.get_by_role("status").filter(has_text="Passkey added")
    await expect(added).to_have_text(ADDED)
    await expect(added).to_be_focused()
    await expect(page.locator("#passkeys")).to_contain_text("not used yet")
    await expect(page.get_by_text("It's you: confirmed")).to_have_count(0)


async def test_confirming_leads_to_adding_and_adding_is_said(
    dev_phone_page: NewPage, dev_server: DevServer, dev_mail: DevMail, pool: asyncpg.Pool
) -> None:
    dana = await dev_phone_page()
    await make_card_from_home(dana, DANA)
    await confirm_addresses(pool, DANA.email)
    await keychain(dana)

    await open_settings(dana)
    await dana.get_by_role("link", name="Add a passkey").tap()
    await expect(dana.get_by_role("heading", level=1)).to_have_text("Confirm it's you")
    await dana.get_by_role("button", name="Email me a code").tap()
    await expect(dana.get_by_role("status").filter(has_text="We sent a code")).to_be_visible()
    # Typing the code is the one thing left to do here: focus starts on its field.
    code = dana.get_by_label("8-digit code from the email")
    await expect(code).to_be_focused()
    mail = await newest_to(dev_mail, DANA.email, PROVE_SUBJECT)
    found = PROVE_SUBJECT.match(mail.subject)
    assert found is not None
    await dana.keyboard.type(found.group(1))
    await dana.keyboard.press("Enter")

    # Back in Settings with "Add a passkey" the next step, focus on it, said why.
    await expect(dana.get_by_role("heading", level=1, name="Settings")).to_be_visible()
    await expect(dana.get_by_role("status").filter(has_text="It's you")).to_have_text(PROVEN)
    add = dana.get_by_role("button", name="Add a passkey")
    await expect(add).to_be_focused()
    await expect(add).to_have_accessible_description(PROVEN)
    await dana.keyboard.press("Enter")
    await said_added(dana)
    assert await pool.fetchval("SELECT count(*) FROM passkeys") == 1

    # Later pages within the minutes the confirmation counts: nothing says it is next.
    await dana.goto("/settings/delete-account")
    await dana.get_by_role("link", name="Keep my account").tap()
    await expect(dana.get_by_role("heading", level=1, name="Settings")).to_be_visible()
    await expect(dana.get_by_text("It's you: confirmed")).to_have_count(0)
    await expect(dana.get_by_role("button", name="Add a passkey")).not_to_be_focused()


async def test_a_first_passkey_added_is_said(new_phone_page: NewPage) -> None:
    # No way of proof yet (no address confirmed): the first passkey is added straight away.
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    await keychain(dana)
    await dana.goto("/settings")
    await dana.get_by_role("button", name="Add a passkey").tap()
    await said_added(dana)
