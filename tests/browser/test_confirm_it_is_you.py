"""Confirm it's you, in a real Chromium with its virtual authenticator: Dana, whose address is
confirmed, taps "Add a passkey" on a phone she signed in to long ago; she is led to "Confirm
it's you", types the code the local SMTP sink received, and is back in Settings, where the
passkey is added. Real parts: the web and worker processes in development, the mail sink."""

from __future__ import annotations

import re

import asyncpg
from playwright.async_api import expect

from tests.browser.conftest import DevMail, DevServer, NewPage
from tests.browser.test_delete_account import newest_to
from tests.browser.test_passkeys import keychain
from tests.browser.test_sign_in import open_settings
from tests.browser.ui import DANA, make_card_from_home
from tests.mailing import confirm_addresses

PROVE_SUBJECT = re.compile(r"^(\d{8}) is your code to confirm it's you$")


async def test_dana_confirms_it_is_her_then_adds_a_passkey(
    dev_phone_page: NewPage, dev_server: DevServer, dev_mail: DevMail, pool: asyncpg.Pool
) -> None:
    dana = await dev_phone_page()
    await make_card_from_home(dana, DANA)
    await confirm_addresses(pool, DANA.email)
    cdp, authenticator = await keychain(dana)

    await open_settings(dana)
    await dana.get_by_role("link", name="Add a passkey").tap()
    await expect(dana.get_by_role("heading", level=1)).to_have_text("Confirm it's you")
    await dana.get_by_role("button", name="Email me a code").tap()
    await expect(dana.get_by_role("status").filter(has_text="We sent a code")).to_have_text(
        f"We sent a code to {DANA.email}. It works for 10 minutes."
    )
    mail = await newest_to(dev_mail, DANA.email, PROVE_SUBJECT)
    found = PROVE_SUBJECT.match(mail.subject)
    assert found is not None
    await dana.get_by_label("8-digit code from the email").fill(found.group(1))
    await dana.get_by_role("button", name="Confirm it's me").tap()

    await expect(dana.get_by_role("heading", level=1, name="Settings")).to_be_visible()
    await expect(dana.get_by_role("status").filter(has_text="It's you")).to_have_text(
        "It's you: confirmed. You can add a passkey now."
    )
    await dana.get_by_role("button", name="Add a passkey").tap()
    await expect(dana.locator("#passkeys")).to_contain_text("not used yet")
    stored = await cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert len(stored["credentials"]) == 1
