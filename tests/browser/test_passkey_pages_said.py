"""A passkey button whose request a guard answers with a page, not JSON, says what happened:
signed out on this browser from another device, the page's offer gone (the merge page's hour
over), the database away. It said "Passkeys did not work here. Please try another way in.",
which sent Dana looking for another way in when reloading, or waiting a moment, was all it
took. Chromium's virtual authenticator stands in for the keychain."""

from __future__ import annotations

import asyncpg
from playwright.async_api import Page, Route, expect

from tests.browser.conftest import NewPage
from tests.browser.test_passkeys import keychain
from tests.browser.ui import DANA, make_card_from_home

DID_NOT_WORK = "Passkeys did not work here"


def answered_with_a_page(status: int, text: str):  # type: ignore[no-untyped-def]
    """A guard in front of the endpoint answering as our error pages do: HTML."""

    async def answer(route: Route) -> None:
        body = f"<!doctype html><title>{text}</title><main><p>{text}</p></main>"
        await route.fulfill(status=status, body=body, content_type="text/html; charset=utf-8")

    return answer


async def passkey_status(page: Page) -> str:
    return " ".join((await page.locator("#passkey-status").inner_text()).split())


async def test_adding_a_passkey_after_being_signed_out_elsewhere_says_so(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    await keychain(dana)
    await dana.goto("/settings")
    # Settings on her laptop: "Sign out every other browser".
    await pool.execute("UPDATE sessions SET revoked_at = now()")
    await dana.get_by_role("button", name="Add a passkey").tap()
    said = dana.locator("#passkey-status")
    await expect(said).to_contain_text(
        "This page is out of date: you may have been signed out on this browser."
    )
    assert DID_NOT_WORK not in await passkey_status(dana)
    await said.get_by_role("link", name="Reload the page").tap()
    await expect(dana.locator("main")).to_contain_text("You were signed out on this browser.")
    assert await pool.fetchval("SELECT count(*) FROM passkeys") == 0


async def test_signing_in_while_the_database_is_away_or_the_page_is_stale_says_so(
    new_phone_page: NewPage,
) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    cdp, authenticator = await keychain(dana)
    await dana.goto("/settings")
    await dana.get_by_role("button", name="Add a passkey").tap()
    await expect(dana.locator("#passkeys")).to_contain_text("not used yet")
    stored = await cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    phone = await new_phone_page()  # her tablet: the same keychain (synced)
    tablet_cdp, tablet_authenticator = await keychain(phone)
    await tablet_cdp.send(
        "WebAuthn.addCredential",
        {"authenticatorId": tablet_authenticator, "credential": stored["credentials"][0]},
    )
    await phone.route(
        "**/passkeys/sign-in/options",
        answered_with_a_page(503, "We can't reach our database right now."),
    )
    await phone.goto("/sign-in")
    await phone.get_by_role("button", name="Sign in with a passkey").tap()
    await expect(phone.locator("#passkey-status")).to_have_text(
        "We can't reach Reachout right now. Nothing was changed: please try again in a moment."
    )
    await expect(phone.locator("#passkey-status").get_by_role("link")).to_have_count(0)

    # The options came, the answer met a page gone (as the merge page's does after its hour).
    await phone.unroute("**/passkeys/sign-in/options")
    await phone.route(
        "**/passkeys/sign-in", answered_with_a_page(404, "There is nothing to merge any more")
    )
    await phone.get_by_role("button", name="Sign in with a passkey").tap()
    said = phone.locator("#passkey-status")
    await expect(said).to_contain_text(
        "This page is out of date: what it offered is no longer there. Reload the page to see."
    )
    await expect(said.get_by_role("link", name="Reload the page")).to_be_visible()
    assert DID_NOT_WORK not in await passkey_status(phone)
