"""A proof that lapses between a passkey's options and its answer (the phone's prompt took
longer than the minutes left): the passkey the phone made is not added, and the refusal says
so, with what to do about the one the phone now holds, and where to confirm again."""

from __future__ import annotations

from server.signin import proving
from tests.mailing import confirm_addresses
from tests.signin.authenticator import SoftAuthenticator
from tests.signin.test_passkeys import JSON, options


async def test_a_passkey_made_after_the_proof_lapsed_is_refused_in_words(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    await confirm_addresses(pool, "dana@example.com")  # a way of proof: adding asks for it
    await pool.execute("UPDATE sessions SET fresh_sign_in_at = now()")  # she confirmed
    keychain = SoftAuthenticator("http://testserver")
    asked = await options(dana, "passkey_register_options")
    created = keychain.create(asked)
    # At the phone's prompt for longer than the proof lasts.
    await pool.execute(
        "UPDATE sessions SET fresh_sign_in_at = now() - $1::interval", proving.FRESH * 2
    )
    refused = await dana.client.post(dana.url("passkey_register"), json=created, headers=JSON)
    assert refused.status_code == 403
    said = refused.json()
    assert said["error"].startswith(
        "Your passkey was not added: it took longer than the 5 minutes a confirmation lasts."
    )
    assert "you can delete it in your phone's settings" in said["error"]
    assert said["confirm"] == dana.url("settings_confirm") + "?then=passkey"
    assert await pool.fetchval("SELECT count(*) FROM passkeys") == 0


async def test_a_passkey_made_before_the_account_needed_a_proof_says_so_too(new_phone, pool):
    """Her address confirmed (from another tab) while the phone asked: no proof ran out, but
    the phone holds a passkey all the same."""
    dana = await new_phone()
    await dana.make_card()
    keychain = SoftAuthenticator("http://testserver")
    created = keychain.create(await options(dana, "passkey_register_options"))
    await confirm_addresses(pool, "dana@example.com")
    refused = await dana.client.post(dana.url("passkey_register"), json=created, headers=JSON)
    assert refused.status_code == 403
    said = refused.json()["error"]
    assert said.startswith("Confirm it's you first")
    assert "your passkey was not added" in said
    assert "you can delete it in your phone's settings" in said
    assert await pool.fetchval("SELECT count(*) FROM passkeys") == 0
