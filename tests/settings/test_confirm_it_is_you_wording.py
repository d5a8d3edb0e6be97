"""Settings says how "Confirm it's you" will go before a new address is confirmed: a code to the
address confirmed before, when there is one, and a passkey when there is one; never a code to
an address a passkey-only account never confirmed."""

from __future__ import annotations

from tests.mailing import confirm_addresses
from tests.phone import text_of
from tests.signin.authenticator import SoftAuthenticator
from tests.signin.test_passkeys import add_passkey


async def said(phone) -> str:  # type: ignore[no-untyped-def]
    return " ".join(text_of(await phone.get(phone.url("settings"))).split())


async def test_a_passkey_only_account_is_told_of_its_passkeys(new_phone, pool):
    dana = await new_phone()
    await dana.make_card(email="dana@example.com")  # never confirmed
    assert (await add_passkey(dana, SoftAuthenticator("http://testserver"))).status_code == 201
    await pool.execute("UPDATE sessions SET fresh_sign_in_at = NULL")
    page = await said(dana)
    assert "First you confirm it's you, with one of your passkeys." in page
    assert "the address you confirmed before" not in page


async def test_an_account_with_a_confirmed_address_is_told_where_the_code_goes(new_phone, pool):
    dana = await new_phone()
    await dana.make_card(email="dana@example.com")
    await confirm_addresses(pool, "dana@example.com")
    await dana.make_card(email="dana@home.example")
    await pool.execute("UPDATE sessions SET fresh_sign_in_at = NULL")
    assert (
        "First you confirm it's you, with a code to dana@example.com, the address you confirmed"
        " before."
    ) in await said(dana)
    await pool.execute("UPDATE sessions SET fresh_sign_in_at = now()")
    assert (await add_passkey(dana, SoftAuthenticator("http://testserver"))).status_code == 201
    await pool.execute("UPDATE sessions SET fresh_sign_in_at = NULL")
    assert (
        "with a code to dana@example.com, the address you confirmed before, or a passkey."
    ) in await said(dana)
