"""The right code for an address her card merely carries (not confirmed for it; her account
has a way of proof) is refused in place of the code form, in a real browser: the words said
aloud and focused, one page (not a page inside the form), "Sign in with a passkey" still
there (review r34)."""

from __future__ import annotations

import re

from playwright.async_api import expect

THIEF = "thief@example.com"


async def test_not_confirmed_here_replaces_the_code_form_with_its_words(new_phone_page, pool):
    dana = await new_phone_page()
    await dana.goto("/")
    await dana.get_by_role("link", name="Make my card").tap()
    await dana.locator("#in-name").fill("Dana Lee")
    await dana.locator("#in-email").fill(THIEF)  # whoever held her phone put theirs there
    await dana.get_by_role("button", name="Save my card").tap()
    await expect(dana).to_have_url(re.compile(r"/share$"))
    # Her own address, confirmed for her account long ago: a way of proof.
    await pool.execute(
        "INSERT INTO email_addresses (address, confirmed_at) VALUES ('dana@example.com', now())"
    )
    await pool.execute(
        "INSERT INTO address_confirmations (address, account_id)"
        " SELECT 'dana@example.com', account_id FROM cards"
    )
    thief = await new_phone_page()
    await thief.goto("/sign-in")
    await thief.get_by_label("Email on your card").fill(THIEF)
    await thief.get_by_role("button", name="Send me a code").tap()
    code_field = thief.get_by_label("8-digit code from the email")
    await expect(code_field).to_be_visible()
    # No worker runs beside this server: the code waits in the outbox.
    code = await pool.fetchval(
        "SELECT code FROM emails WHERE to_address = $1 ORDER BY id DESC LIMIT 1", THIEF
    )
    await code_field.fill(code)
    await thief.get_by_role("button", name="Sign in", exact=True).tap()
    alert = thief.get_by_role("alert").filter(has_text="isn't confirmed for it yet")
    await expect(alert).to_be_visible()
    await expect(alert).to_be_focused()
    assert await thief.locator("main").count() == 1
    assert await thief.locator("h1").count() == 1
    assert await code_field.count() == 0
    await expect(thief.get_by_role("button", name="Sign in with a passkey")).to_be_visible()
