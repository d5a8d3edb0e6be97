"""A passkey's answer that cannot be read, or that is refused, is said in plain words: a field
the webauthn package's parser chokes on is a clear 400 (never a 500) wherever a passkey
answers, and the package's own messages ("Response sign count of 1 …", "Unexpected client
data origin …") never reach the page. A sign-in racing a merge of its account signs in to
the account kept."""

from __future__ import annotations

import asyncio

import pytest

from server.signin import passkeys
from tests.phone import text_of
from tests.signin.test_guests import signs_in
from tests.signin.test_passkeys import (
    JSON,
    confirmed_with_passkey,
    dana_with_a_passkey,
    options,
    sign_in_with,
)

ODD_HANDLES = ["a", "éé"]  # no base64url: one character too few, and no ASCII at all


@pytest.mark.parametrize("handle", ODD_HANDLES)
async def test_an_unreadable_user_handle_is_a_clear_400_wherever_a_passkey_answers(
    new_phone, pool, mail, app, handle
):
    dana, keychain = await dana_with_a_passkey(new_phone)

    async def refused(phone, asked: str, answered: str) -> None:  # type: ignore[no-untyped-def]
        answer = keychain.get(await options(phone, asked))
        answer["response"]["userHandle"] = handle
        said = await phone.client.post(phone.url(answered), json=answer, headers=JSON)
        assert said.status_code == 400, (answered, said.text)
        assert said.json()["error"] == passkeys.UNREADABLE

    await refused(await new_phone(), "passkey_sign_in_options", "passkey_sign_in")
    await refused(dana, "settings_confirm_passkey_options", "settings_confirm_passkey")
    # The merge's proof: Dana signs in to another card of hers, which offers this one's.
    other = await new_phone()
    await other.make_card(name="Dana L.", email="dana.l@example.com")
    await signs_in(dana, mail, app, "dana.l@example.com")
    await refused(dana, "sign_in_merge_passkey_options", "sign_in_merge_passkey")
    assert await pool.fetchval("SELECT sign_count FROM passkeys") == 0, "never used"


async def test_an_unreadable_passkey_being_added_is_a_clear_400(new_phone, pool):
    dana, keychain = await dana_with_a_passkey(new_phone)
    await confirmed_with_passkey(dana, keychain)
    created = keychain.create(await options(dana, "passkey_register_options"))
    created["response"]["attestationObject"] = "éé"
    refused = await dana.client.post(dana.url("passkey_register"), json=created, headers=JSON)
    assert refused.status_code == 400, refused.text
    assert refused.json()["error"] == passkeys.UNREADABLE
    assert await pool.fetchval("SELECT count(*) FROM passkeys") == 1


async def test_refusals_are_in_plain_words_not_the_packages(new_phone, pool):
    dana, keychain = await dana_with_a_passkey(new_phone)
    laptop = await new_phone()
    assert (await sign_in_with(laptop, keychain)).status_code == 200
    # Its counter went back (a copy of it, or the key reset): said what that means.
    keychain.passkeys[0].sign_count = 0
    copied = await sign_in_with(await new_phone(), keychain)
    assert copied.status_code == 400
    assert copied.json()["error"] == (
        "This passkey looks copied or reset. Remove it in Settings and add it again, or sign"
        " in by email."
    )
    keychain.passkeys[0].sign_count = 5
    # Made for another site: no "Unexpected client data origin".
    phishing = await sign_in_with(await new_phone(), keychain, origin="https://evil.example")
    assert phishing.json()["error"] == (
        "That passkey could not sign you in. Please try again, or sign in by email."
    )
    answer = keychain.get(
        await options(dana, "settings_confirm_passkey_options"), origin="https://evil.example"
    )
    proof = await dana.client.post(dana.url("settings_confirm_passkey"), json=answer, headers=JSON)
    assert proof.status_code == 400
    assert proof.json()["error"] == (
        "That passkey could not confirm it's you. Please try again, or use another way."
    )
    await confirmed_with_passkey(dana, keychain)
    created = keychain.create(
        await options(dana, "passkey_register_options"), origin="https://evil.example"
    )
    added = await dana.client.post(dana.url("passkey_register"), json=created, headers=JSON)
    assert added.status_code == 400
    assert added.json()["error"].startswith("That passkey could not be added. Please try again.")
    for refused in (copied, phishing, proof, added):
        assert "count" not in refused.text and "origin" not in refused.text
    assert await pool.fetchval("SELECT count(*) FROM passkeys") == 1


async def test_a_passkey_sign_in_racing_a_merge_signs_in_to_the_account_kept(new_phone, pool, app):
    """The merge of Dana's card into her other one is mid-transaction (its passkey moved, her
    old account gone, not yet committed) as her tablet signs in with that passkey: the sign-in
    waits for it, then lands in the account kept, not the one gone."""
    _, keychain = await dana_with_a_passkey(new_phone)
    kept = await new_phone()
    await kept.make_card(name="Dana L.", email="dana.l@example.com")
    source = await pool.fetchval("SELECT account_id FROM passkeys")
    target = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Dana L.'")
    tablet = await new_phone()
    answer = keychain.get(await options(tablet, "passkey_sign_in_options"))
    async with pool.acquire() as merger:
        merging = merger.transaction()
        await merging.start()
        sql = app.state.sql
        await sql.run(merger, "sessions.lock_merge_source", source=source, account_id=target)
        await sql.run(merger, "sessions.merge_into", source=source, account_id=target)
        signing = asyncio.create_task(
            tablet.client.post(tablet.url("passkey_sign_in"), json=answer, headers=JSON)
        )
        await asyncio.sleep(0.3)
        assert not signing.done(), "waits for the merge"
        await merging.commit()
        signed = await signing
    assert signed.status_code == 200, signed.text
    assert "Dana L." in text_of(await tablet.get(tablet.url("card")))
    assert (
        await pool.fetchval("SELECT account_id FROM sessions WHERE signed_in_by = 'passkey'")
        == target
    )
