"""A phone whose passkeys only ask for a tap (no screen lock, a key without a PIN) adds none:
registration requires a face, fingerprint or PIN, as every proof a passkey gives does, so such
a passkey would never confirm it is Dana. Chromium's virtual authenticator gives no answer to
options that require it, and the button says that may be why."""

from __future__ import annotations

from typing import Any

import asyncpg
from playwright.async_api import expect

from tests.browser.conftest import NewPage
from tests.browser.test_passkey_proofs import DOES_NOT_ASK
from tests.browser.test_passkeys import KEYCHAIN
from tests.browser.ui import DANA, make_card_from_home


async def test_a_phone_that_cannot_ask_adds_no_passkey_and_says_why(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    cdp = await dana.context.new_cdp_session(dana)
    await cdp.send("WebAuthn.enable", {"enableUI": False})
    added: dict[str, Any] = await cdp.send(
        "WebAuthn.addVirtualAuthenticator", {"options": {**KEYCHAIN, **DOES_NOT_ASK}}
    )
    await dana.goto("/settings")
    await dana.get_by_role("button", name="Add a passkey").tap()
    await expect(dana.get_by_role("alert").filter(has_text="No passkey was added")).to_have_text(
        "No passkey was added: it was cancelled, or this phone can't ask for your face,"
        " fingerprint or PIN, which a passkey needs here."
    )
    assert await pool.fetchval("SELECT count(*) FROM passkeys") == 0
    stored = await cdp.send(
        "WebAuthn.getCredentials", {"authenticatorId": added["authenticatorId"]}
    )
    assert stored["credentials"] == []
