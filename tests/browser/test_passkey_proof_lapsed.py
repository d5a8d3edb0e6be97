"""Dana's "Confirm it's you" runs out while her phone's passkey prompt is open (it lasts five
minutes from confirming; she took longer): her phone made a passkey that Reachout refused.
Settings says so, and how to delete it, before it takes her to confirm again; once she has,
she is back at Settings' passkeys and adds one. Chromium's virtual authenticator stands in for
the keychain; the proof ages in the database while the passkey goes to the server."""

from __future__ import annotations

import re

import asyncpg
from playwright.async_api import Route, expect

from tests.browser.conftest import NewPage
from tests.browser.test_passkeys import keychain
from tests.browser.ui import DANA, make_card_from_home
from tests.mailing import confirm_addresses


async def test_a_passkey_made_after_the_proof_lapsed_is_said_not_added(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    # No service worker: the passkey's request is the page's own, for the route below.
    dana = await new_phone_page(service_workers="block")
    await make_card_from_home(dana, DANA)
    await confirm_addresses(pool, DANA.email)  # a way of proof: adding a passkey asks for it
    await pool.execute("UPDATE sessions SET fresh_sign_in_at = now()")  # she confirmed
    cdp, authenticator = await keychain(dana)
    await dana.goto("/settings?confirmed=passkey")
    await expect(dana.get_by_role("status").filter(has_text="It's you")).to_be_visible()

    async def six_minutes_at_the_prompt(route: Route) -> None:
        await pool.execute("UPDATE sessions SET fresh_sign_in_at = now() - interval '6 minutes'")
        await route.continue_()

    await dana.context.route("**/passkeys/register", six_minutes_at_the_prompt)
    await dana.get_by_role("button", name="Add a passkey").tap()

    alert = dana.get_by_role("alert").filter(has_text="not added")
    await expect(alert).to_have_text(
        "Your passkey was not added: it took longer than the 5 minutes a confirmation lasts."
        " Confirm it's you again, then add it again. Your phone may now list a passkey for"
        " Reachout that doesn't work: you can delete it in your phone's settings."
        " Confirm it's you"
    )
    # Nothing that no longer holds: "It's you: confirmed" and its button are gone.
    await expect(dana.get_by_role("status").filter(has_text="It's you")).to_be_hidden()
    await expect(dana.get_by_role("button", name="Add a passkey")).to_be_hidden()
    # The phone holds the passkey Reachout does not know.
    stored = await cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert len(stored["credentials"]) == 1
    assert await pool.fetchval("SELECT count(*) FROM passkeys") == 0
    await expect(dana.locator("#passkeys")).to_have_count(0)

    await dana.context.unroute("**/passkeys/register")
    await alert.get_by_role("link", name="Confirm it's you").tap()
    await expect(dana.get_by_role("heading", level=1)).to_have_text("Confirm it's you")
    # She confirms (a code by email, tested in test_confirm_it_is_you.py): back at passkeys.
    await pool.execute("UPDATE sessions SET fresh_sign_in_at = now()")
    await dana.reload()
    await expect(dana).to_have_url(re.compile(r"/settings\?confirmed=passkey$"))
    await dana.get_by_role("button", name="Add a passkey").tap()
    await expect(dana.locator("#passkeys")).to_contain_text("not used yet")
    assert await pool.fetchval("SELECT count(*) FROM passkeys") == 1
