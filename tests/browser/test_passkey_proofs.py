"""A passkey proves an account is its owner's only when the phone asked for a face, fingerprint
or PIN: whoever holds Dana's unlocked phone, whose passkeys do not ask again, cannot confirm
it is her by tapping and delete her account. Chromium's virtual authenticator stands in for
the keychain; ``WebAuthn.setUserVerified`` is the face that does or does not match.

The proof's options require user verification, so Chromium itself gives no answer without it
(the page says no passkey was used); an answer sent without it anyway is refused by the server
in words (tests/signin/test_passkey_user_verification.py)."""

from __future__ import annotations

from typing import Any

import asyncpg
from playwright.async_api import expect

from tests.browser.conftest import NewPage
from tests.browser.test_passkeys import KEYCHAIN, keychain
from tests.browser.ui import DANA, make_card_from_home

# A phone whose passkeys need only a tap (no screen lock, or a key without a PIN).
DOES_NOT_ASK = {"hasUserVerification": False, "isUserVerified": False}


async def test_a_passkey_that_did_not_ask_for_her_face_does_not_confirm_deleting(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    cdp, authenticator = await keychain(dana)
    await dana.goto("/settings")
    await dana.get_by_role("button", name="Add a passkey").tap()
    await expect(dana.locator("#passkeys")).to_contain_text("not used yet")

    # The same passkey on a phone that does not ask for a face, fingerprint or PIN again:
    # whoever holds it unlocked taps, and the passkey answers.
    stored = await cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    [credential] = stored["credentials"]
    await cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": authenticator})
    added: dict[str, Any] = await cdp.send(
        "WebAuthn.addVirtualAuthenticator", {"options": {**KEYCHAIN, **DOES_NOT_ASK}}
    )
    await cdp.send(
        "WebAuthn.addCredential",
        {"authenticatorId": added["authenticatorId"], "credential": credential},
    )
    await dana.goto("/settings/delete-account")
    await dana.get_by_role("button", name="Confirm with a passkey").tap()
    await expect(dana.get_by_role("alert")).to_contain_text(
        "No passkey confirmed it's you: it was cancelled, it didn't ask for your face"
    )
    await dana.reload()
    await expect(dana.get_by_role("heading", name="First, confirm it's you")).to_be_visible()
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 1

    # Dana herself, on a phone that asks for her face: the proof goes through.
    await cdp.send(
        "WebAuthn.removeVirtualAuthenticator", {"authenticatorId": added["authenticatorId"]}
    )
    added = await cdp.send("WebAuthn.addVirtualAuthenticator", {"options": KEYCHAIN})
    await cdp.send(
        "WebAuthn.addCredential",
        {"authenticatorId": added["authenticatorId"], "credential": credential},
    )
    await dana.get_by_role("button", name="Confirm with a passkey").tap()
    await expect(dana.get_by_role("status").filter(has_text="It's you: confirmed")).to_be_visible()
