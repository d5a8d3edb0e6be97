"""Removing a passkey that is the account's last way to prove it is its owner (no other
passkey, no confirmed address) needs the fresh sign-in deleting needs: otherwise whoever holds
the unlocked phone removes it, and then typing "delete" deletes the account."""

from __future__ import annotations

from server.signin import proving
from tests.mailing import confirm_addresses
from tests.phone import text_of
from tests.signin.authenticator import SoftAuthenticator
from tests.signin.test_passkeys import (
    JSON,
    add_passkey,
    confirmed_with_passkey,
    options,
    sign_in_with,
)


async def _dana_with_only_a_passkey(new_phone):  # type: ignore[no-untyped-def]
    dana = await new_phone()
    await dana.make_card(email="")
    keychain = SoftAuthenticator("http://testserver")
    assert (await add_passkey(dana, keychain)).status_code == 201
    return dana, keychain


async def test_the_last_way_to_prove_it_is_me_is_not_removed_without_proof(new_phone, pool):
    dana, keychain = await _dana_with_only_a_passkey(new_phone)
    passkey_id = await pool.fetchval("SELECT id FROM passkeys")
    refused = await dana.post(dana.url("passkey_remove", passkey_id=passkey_id), {})
    assert refused.status_code == 403
    said = " ".join(text_of(refused).split())
    assert "This passkey is the only way left to confirm it's you" in said
    assert "Confirm your email address first" in said
    # Still there: it signs in, and deleting still asks for it.
    assert (await sign_in_with(await new_phone(), keychain)).status_code == 200
    assert "Confirm with a passkey" in text_of(await dana.get(dana.url("delete_account")))
    typed = await dana.post(dana.url("delete_account_confirm"), {"confirm": "delete"})
    assert typed.status_code == 403
    assert await pool.fetchval("SELECT count(*) FROM cards") == 1


async def test_one_of_two_passkeys_goes_and_the_second_stays(new_phone, pool):
    dana, keychain = await _dana_with_only_a_passkey(new_phone)
    await confirmed_with_passkey(dana, keychain)  # a second one asks for it
    assert (await add_passkey(dana, keychain)).status_code == 201
    await pool.execute(
        "UPDATE sessions SET fresh_sign_in_at = now() - $1::interval", proving.FRESH * 2
    )
    first, second = [row["id"] for row in await pool.fetch("SELECT id FROM passkeys ORDER BY id")]
    assert (await dana.post(dana.url("passkey_remove", passkey_id=first), {})).status_code == 303
    assert (await dana.post(dana.url("passkey_remove", passkey_id=second), {})).status_code == 403
    assert await pool.fetchval("SELECT count(*) FROM passkeys") == 1


async def test_with_a_confirmed_address_the_passkey_goes(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    keychain = SoftAuthenticator("http://testserver")
    await add_passkey(dana, keychain)
    await confirm_addresses(pool, "dana@example.com")
    passkey_id = await pool.fetchval("SELECT id FROM passkeys")
    removed = await dana.post(dana.url("passkey_remove", passkey_id=passkey_id), {})
    assert removed.status_code == 303
    assert await pool.fetchval("SELECT count(*) FROM passkeys") == 0


async def test_after_confirming_with_it_the_last_passkey_goes(new_phone, pool):
    dana, keychain = await _dana_with_only_a_passkey(new_phone)
    answer = keychain.get(await options(dana, "delete_account_passkey_options"))
    confirmed = await dana.client.post(
        dana.url("delete_account_passkey"), json=answer, headers=JSON
    )
    assert confirmed.status_code == 200, confirmed.text
    passkey_id = await pool.fetchval("SELECT id FROM passkeys")
    removed = await dana.post(dana.url("passkey_remove", passkey_id=passkey_id), {})
    assert removed.status_code == 303
    assert await pool.fetchval("SELECT count(*) FROM passkeys") == 0
