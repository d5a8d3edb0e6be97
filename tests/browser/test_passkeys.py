"""Passkeys in a real Chromium, with its virtual authenticator (the DevTools protocol's
``WebAuthn`` domain) standing in for the phone's keychain: Dana adds a passkey in Settings in
Safari, and the app on her home screen, which shares the keychain but not Safari's cookies,
signs in with it."""

from __future__ import annotations

import re
from typing import Any

import asyncpg
from playwright.async_api import CDPSession, Page, expect

from tests.browser.conftest import NewPage
from tests.browser.ui import DANA, make_card_from_home

KEYCHAIN = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
    "automaticPresenceSimulation": True,
}


async def keychain(page: Page) -> tuple[CDPSession, str]:
    """A platform authenticator (Face ID, say) for this page's browser."""
    cdp = await page.context.new_cdp_session(page)
    await cdp.send("WebAuthn.enable", {"enableUI": False})
    added: dict[str, Any] = await cdp.send(
        "WebAuthn.addVirtualAuthenticator", {"options": KEYCHAIN}
    )
    return cdp, added["authenticatorId"]


async def test_a_passkey_added_in_safari_signs_in_the_installed_app(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    safari = await new_phone_page()
    await make_card_from_home(safari, DANA)
    cdp, authenticator = await keychain(safari)
    await safari.goto("/settings")
    await safari.get_by_role("button", name="Add a passkey").tap()
    passkeys = safari.locator("#passkeys")
    await expect(passkeys).to_contain_text("not used yet")
    stored = await cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    [credential] = stored["credentials"]
    assert credential["isResidentCredential"], "a discoverable credential"
    assert credential["rpId"] == "localhost"
    # Again on the same phone: a second way of proof asks "Confirm it's you" first (her
    # passkey does), then the authenticator refuses a second one, and says why.
    await safari.get_by_role("link", name="Add a passkey").tap()
    await expect(safari.get_by_role("heading", level=1)).to_have_text("Confirm it's you")
    await safari.get_by_role("button", name="Confirm with a passkey").tap()
    await expect(safari.get_by_role("heading", level=1, name="Settings")).to_be_visible()
    await safari.get_by_role("button", name="Add a passkey").tap()
    await expect(safari.get_by_role("alert").filter(has_text="already has a passkey")).to_have_text(
        "This phone already has a passkey for your account: nothing to add."
    )

    # As it is now (used once to confirm: its signature counter moved on).
    stored = await cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    [credential] = stored["credentials"]
    installed = await new_phone_page()  # its own cookies; the same keychain (synced)
    app_cdp, app_authenticator = await keychain(installed)
    await app_cdp.send(
        "WebAuthn.addCredential", {"authenticatorId": app_authenticator, "credential": credential}
    )
    await installed.goto("/")
    await installed.get_by_role("link", name="I already have a card").tap()
    await installed.get_by_role("button", name="Sign in with a passkey").tap()
    await expect(installed).to_have_url(re.compile(r"/contacts\?notice=signed_in$"))
    await expect(installed.get_by_role("status").filter(has_text="Signed in.")).to_be_visible()
    await installed.goto("/card")
    await expect(installed.locator("main")).to_contain_text(DANA.name)

    # Minutes later: her confirming with it no longer counts.
    await pool.execute("UPDATE sessions SET fresh_sign_in_at = now() - interval '1 hour'")
    await safari.goto("/settings")
    await expect(safari.locator("#passkeys")).to_contain_text("last used")
    passkeys = safari.locator("#passkeys")
    await passkeys.get_by_text("Remove…").tap()  # asked twice
    await passkeys.get_by_role("button", name=re.compile("^Remove the passkey")).tap()
    # Her only way to confirm it is her (no address confirmed): whoever holds this phone
    # must not be able to remove it and then delete her account by typing "delete".
    await expect(safari.locator("main")).to_contain_text(
        "This passkey is the only way left to confirm it's you"
    )
    await safari.goto("/settings")
    await expect(safari.locator("#passkeys")).to_contain_text("last used")


async def test_a_passkey_tapped_offline_says_the_network_is_missing(
    new_phone_page: NewPage,
) -> None:
    phone = await new_phone_page()
    await phone.goto("/")
    await keychain(phone)
    button = phone.get_by_role("button", name="Sign in with a passkey")
    await expect(button).to_be_visible()
    await phone.context.set_offline(True)
    await button.tap()
    await expect(phone.get_by_role("alert").filter(has_text="offline")).to_have_text(
        "You're offline: a passkey needs the network. Try again when you're back online."
    )
