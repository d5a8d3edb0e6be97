"""A passkey is a way of proof (Confirm it's you, deleting, merging) only once its phone has
said it asked for a face, fingerprint or PIN: when it was added (required now), or since, when
it signs in or proves. One added before that was required, whose phone may never ask, still
signs in, but asks for no proof it could never give; the first answer for which its phone
asks makes it one. And a passkey refused when it was added says the phone may list it."""

from __future__ import annotations

from tests.mailing import confirm_addresses
from tests.phone import Phone, soup, text_of
from tests.signin.authenticator import SoftAuthenticator
from tests.signin.test_guests import signs_in
from tests.signin.test_merging import swap
from tests.signin.test_passkey_added_with_verification import created_without_asking
from tests.signin.test_passkey_user_verification import tapped_only
from tests.signin.test_passkeys import JSON, add_passkey, options, sign_in_with

ONCE_MORE = "Signs you in; to confirm it's you with it, sign in with it once more."
ON_THE_PHONE = (
    "Your phone may now list a passkey for Reachout that doesn't work: you can delete it in"
    " your phone's settings."
)
WORD_ONLY = 'Type "delete" to confirm'
CONFIRM_FIRST = "First, confirm it's you"
WITH_A_PASSKEY = "Confirm with a passkey"


async def added_before_passkeys_had_to_ask(pool) -> None:  # type: ignore[no-untyped-def]
    """Every passkey so far as one added before its phone had to ask: nothing says whether it
    did (0050_passkeys_verify_user.sql)."""
    await pool.execute("UPDATE passkeys SET verifies_user = false")


async def dana_with_an_old_passkey(new_phone, pool, email: str = ""):  # type: ignore[no-untyped-def]
    dana = await new_phone()
    await dana.make_card(email=email)
    keychain = SoftAuthenticator("http://testserver")
    assert (await add_passkey(dana, keychain)).status_code == 201
    await added_before_passkeys_had_to_ask(pool)
    await pool.execute("UPDATE sessions SET fresh_sign_in_at = NULL")  # not just now
    return dana, keychain


def said(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(text_of(response).split())


async def test_an_old_passkey_that_never_asks_signs_in_but_locks_nothing(new_phone, pool):
    """Dana's only passkey came from a key that only asks for a tap: it signs her in, and her
    account is not stuck behind a proof it can never give."""
    dana, keychain = await dana_with_an_old_passkey(new_phone, pool)
    assert ONCE_MORE in said(await dana.get(dana.url("settings")))
    page = said(await dana.get(dana.url("delete_account")))
    assert WORD_ONLY in page and WITH_A_PASSKEY not in page

    laptop: Phone = await new_phone()
    answer = tapped_only(keychain, await options(laptop, "passkey_sign_in_options"))
    signed = await laptop.client.post(laptop.url("passkey_sign_in"), json=answer, headers=JSON)
    assert signed.status_code == 200, signed.text
    assert ONCE_MORE in said(await laptop.get(laptop.url("settings"))), "still no way of proof"

    deleted = await dana.post(dana.url("delete_account_confirm"), {"confirm": "delete"})
    assert deleted.status_code == 303, deleted.text
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 0


async def test_signing_in_with_it_when_the_phone_asks_makes_it_a_way_of_proof(new_phone, pool):
    dana, keychain = await dana_with_an_old_passkey(new_phone, pool)
    assert WORD_ONLY in said(await dana.get(dana.url("delete_account")))

    laptop: Phone = await new_phone()
    assert (await sign_in_with(laptop, keychain)).status_code == 200  # her face, this time
    assert ONCE_MORE not in said(await dana.get(dana.url("settings")))
    page = said(await dana.get(dana.url("delete_account")))
    assert CONFIRM_FIRST in page and WITH_A_PASSKEY in page
    typed = await dana.post(dana.url("delete_account_confirm"), {"confirm": "delete"})
    assert typed.status_code == 403
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 1


async def test_confirming_with_it_when_the_phone_asks_makes_it_a_way_of_proof(new_phone, pool):
    """With a confirmed address, Confirm it's you offers the code, not the old passkey; a proof
    for which its phone asks is one all the same, and from then on it is offered."""
    dana, keychain = await dana_with_an_old_passkey(new_phone, pool, email="dana@example.com")
    await confirm_addresses(pool, "dana@example.com")
    confirm = said(await dana.get(dana.url("settings_confirm")))
    assert "Email me a code" in confirm and WITH_A_PASSKEY not in confirm

    answer = tapped_only(keychain, await options(dana, "settings_confirm_passkey_options"))
    refused = await dana.client.post(
        dana.url("settings_confirm_passkey"), json=answer, headers=JSON
    )
    assert refused.status_code == 400, "a tap proves nothing"
    assert ONCE_MORE in said(await dana.get(dana.url("settings")))

    answer = keychain.get(await options(dana, "settings_confirm_passkey_options"))
    proven = await dana.client.post(dana.url("settings_confirm_passkey"), json=answer, headers=JSON)
    assert proven.status_code == 200, proven.text
    assert ONCE_MORE not in said(await dana.get(dana.url("settings")))
    await pool.execute("UPDATE sessions SET fresh_sign_in_at = NULL")
    assert WITH_A_PASSKEY in said(await dana.get(dana.url("settings_confirm")))


async def test_an_old_passkey_that_is_no_way_of_proof_is_removed_without_one(new_phone, pool):
    dana, _ = await dana_with_an_old_passkey(new_phone, pool)
    passkey_id = await pool.fetchval("SELECT id FROM passkeys")
    removed = await dana.post(dana.url("passkey_remove", passkey_id=passkey_id), {})
    assert removed.status_code == 303, said(removed)
    assert await pool.fetchval("SELECT count(*) FROM passkeys") == 0


async def test_a_passkey_added_now_is_a_way_of_proof_at_once(new_phone, pool):
    """Dana's old passkey is no way of proof, so she adds a new one without a proof; the new
    one is one at once: deleting asks for it."""
    dana, keychain = await dana_with_an_old_passkey(new_phone, pool)
    added = await add_passkey(dana, keychain)
    assert added.status_code == 201, added.text
    listed = soup(await dana.get(dana.url("settings"))).select("#passkeys li")
    assert [ONCE_MORE in " ".join(li.get_text().split()) for li in listed] == [False, True]
    page = said(await dana.get(dana.url("delete_account")))
    assert CONFIRM_FIRST in page and WITH_A_PASSKEY in page
    typed = await dana.post(dana.url("delete_account_confirm"), {"confirm": "delete"})
    assert typed.status_code == 403


async def test_beside_one_that_is_a_way_of_proof_the_old_one_goes_freely(new_phone, pool):
    """Dana has her old passkey and a new one, no address: the old one goes without a proof
    (the new one still proves it's her); the new one, her last way of proof, does not."""
    dana, keychain = await dana_with_an_old_passkey(new_phone, pool)
    assert (await add_passkey(dana, keychain)).status_code == 201
    old, new = await pool.fetch("SELECT id FROM passkeys ORDER BY verifies_user, id")
    removed = await dana.post(dana.url("passkey_remove", passkey_id=old["id"]), {})
    assert removed.status_code == 303, said(removed)
    kept = await dana.post(dana.url("passkey_remove", passkey_id=new["id"]), {})
    assert kept.status_code == 403
    assert [row["id"] for row in await pool.fetch("SELECT id FROM passkeys")] == [new["id"]]


async def test_a_card_whose_only_passkey_never_asked_merges_without_proof(
    new_phone, pool, mail, app
):
    """Bob signs in on Alice's phone, whose card has no address and only an old passkey:
    there is nothing to prove it with but the phone, as for a card with no passkey."""
    alice_phone = await new_phone()
    await alice_phone.make_card(name="Alice Wu", email="")
    assert (await add_passkey(alice_phone, SoftAuthenticator("http://testserver"))).status_code == (
        201
    )
    await added_before_passkeys_had_to_ask(pool)
    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email="mia@example.com")
    await swap(mia, alice_phone)
    bob = await new_phone()
    await bob.make_card(name="Bob Roe", email="bob@example.com")
    await signs_in(alice_phone, mail, app, "bob@example.com")

    merged = await alice_phone.post(alice_phone.url("sign_in_merge_choose"), {"choice": "merge"})
    assert merged.status_code == 303, said(merged)
    assert "Mia Chen" in text_of(await alice_phone.get(alice_phone.url("contacts")))


async def test_a_passkey_refused_when_added_says_the_phone_may_list_it(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    keychain = SoftAuthenticator("http://testserver")
    asked = await options(dana, "passkey_register_options")
    refused = await dana.client.post(
        dana.url("passkey_register"), json=created_without_asking(keychain, asked), headers=JSON
    )
    assert refused.status_code == 400
    assert refused.json()["error"] == (
        "This passkey didn't ask for your face, fingerprint or PIN, so it could not be added:"
        " it could never confirm it's you. Use a phone or key that asks for one. " + ON_THE_PHONE
    )

    asked = await options(dana, "passkey_register_options")
    await pool.execute("UPDATE webauthn_challenges SET expires_at = now() - interval '1 second'")
    expired = await dana.client.post(
        dana.url("passkey_register"), json=keychain.create(asked), headers=JSON
    )
    assert expired.status_code == 400
    assert expired.json()["error"] == (
        "Your passkey was not added: the request had expired or was already used. Add it again. "
        + ON_THE_PHONE
    )
    assert await pool.fetchval("SELECT count(*) FROM passkeys") == 0
