"""Every passkey is a way of proof (Confirm it's you, deleting, merging), one added before a
passkey had to ask for a face, fingerprint or PIN too: whoever holds the unlocked phone must
not add their own passkey, remove the owner's and keep the account. Such an old passkey, whose
phone may never ask (a key that only takes a tap), proves with a tap until its phone says it
asked, signing in or proving (``passkeys.verifies_user``); from then on a tap proves nothing.
And a passkey refused when it was added says the phone may list it."""

from __future__ import annotations

from tests.phone import Phone, text_of
from tests.signin.authenticator import SoftAuthenticator
from tests.signin.test_guests import signs_in
from tests.signin.test_merging import swap
from tests.signin.test_passkey_added_with_verification import created_without_asking
from tests.signin.test_passkey_user_verification import NOT_VERIFIED, tapped_only
from tests.signin.test_passkeys import JSON, add_passkey, options, sign_in_with

ONCE_MORE = "sign in with it once more"
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


async def not_just_now(pool) -> None:  # type: ignore[no-untyped-def]
    """No session proved it is its owner in the last few minutes."""
    await pool.execute("UPDATE sessions SET fresh_sign_in_at = NULL")


async def dana_with_an_old_passkey(new_phone, pool, email: str = ""):  # type: ignore[no-untyped-def]
    dana = await new_phone()
    await dana.make_card(email=email)
    keychain = SoftAuthenticator("http://testserver")
    assert (await add_passkey(dana, keychain)).status_code == 201
    await added_before_passkeys_had_to_ask(pool)
    await not_just_now(pool)
    return dana, keychain


async def tries_to_add_passkey(phone, keychain: SoftAuthenticator):  # type: ignore[no-untyped-def]
    """Settings' "Add a passkey", as far as it goes: the refusal of the options, or the answer
    to the passkey the phone made."""
    asked = await phone.client.post(phone.url("passkey_register_options"), headers=JSON)
    if asked.status_code != 200:
        return asked
    created = keychain.create(asked.json())
    return await phone.client.post(phone.url("passkey_register"), json=created, headers=JSON)


async def asks(pool) -> list[bool]:  # type: ignore[no-untyped-def]
    """Whether each passkey's proof must ask for a face, fingerprint or PIN, oldest first."""
    return [row["verifies_user"] for row in await pool.fetch("SELECT * FROM passkeys ORDER BY id")]


def said(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(text_of(response).split())


async def test_a_thief_with_the_unlocked_phone_cannot_replace_an_old_passkey(new_phone, pool):
    """The review's takeover: Dana has no confirmed address and one old passkey, which her
    phone does guard with her face. A thief holding it unlocked can neither add his own
    passkey nor remove hers, and she still signs in with it."""
    dana, her_keychain = await dana_with_an_old_passkey(new_phone, pool)  # session not fresh
    thief_keychain = SoftAuthenticator("http://testserver")
    added = await tries_to_add_passkey(dana, thief_keychain)
    her_passkey = await pool.fetchval("SELECT id FROM passkeys WHERE NOT verifies_user")
    removed = await dana.post(dana.url("passkey_remove", passkey_id=her_passkey), {})
    laptop: Phone = await new_phone()
    dana_later = (await sign_in_with(laptop, her_keychain)).status_code
    assert (added.status_code, removed.status_code, dana_later) == (403, 403, 200)


async def test_an_old_passkey_is_a_way_of_proof(new_phone, pool):
    """Deleting asks for it; typing "delete" is not enough; Settings asks nothing more of her."""
    dana, _ = await dana_with_an_old_passkey(new_phone, pool)
    assert ONCE_MORE not in said(await dana.get(dana.url("settings")))
    page = said(await dana.get(dana.url("delete_account")))
    assert CONFIRM_FIRST in page and WITH_A_PASSKEY in page and WORD_ONLY not in page
    typed = await dana.post(dana.url("delete_account_confirm"), {"confirm": "delete"})
    assert typed.status_code == 403
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 1


async def test_an_old_passkey_that_cannot_ask_deletes_with_a_tap(new_phone, pool):
    """Dana's only passkey is on a key that only takes a tap: it signs her in (proving nothing,
    as any sign-in without her face), and confirms it's her with a tap, so she can delete."""
    dana, keychain = await dana_with_an_old_passkey(new_phone, pool)
    laptop: Phone = await new_phone()
    answer = tapped_only(keychain, await options(laptop, "passkey_sign_in_options"))
    signed = await laptop.client.post(laptop.url("passkey_sign_in"), json=answer, headers=JSON)
    assert signed.status_code == 200, signed.text
    assert CONFIRM_FIRST in said(await laptop.get(laptop.url("delete_account")))

    asked = await options(dana, "delete_account_passkey_options")
    assert asked["userVerification"] == "preferred", "a key that cannot ask still answers"
    confirmed = await dana.client.post(
        dana.url("delete_account_passkey"), json=tapped_only(keychain, asked), headers=JSON
    )
    assert confirmed.status_code == 200, confirmed.text
    assert await asks(pool) == [False], "a tap says nothing of her face"
    deleted = await dana.post(dana.url("delete_account_confirm"), {})
    assert deleted.status_code == 303, said(deleted)
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 0


async def test_an_old_passkey_that_cannot_ask_confirms_it_is_you_with_a_tap(new_phone, pool):
    """Settings' Confirm it's you: a tap with the old key, and Dana may add a passkey."""
    dana, keychain = await dana_with_an_old_passkey(new_phone, pool)
    asked = await options(dana, "settings_confirm_passkey_options")
    confirmed = await dana.client.post(
        dana.url("settings_confirm_passkey"), json=tapped_only(keychain, asked), headers=JSON
    )
    assert confirmed.status_code == 200, confirmed.text
    added = await tries_to_add_passkey(dana, SoftAuthenticator("http://testserver"))
    assert added.status_code == 201, added.text
    assert await asks(pool) == [False, True], "the old one as it was; the new one asks"


async def test_once_its_phone_asked_a_tap_with_it_proves_nothing(new_phone, pool):
    """Dana confirms it's her with her old passkey, her phone asking for her face: from then on
    the phone is told to ask, and a tap with that passkey is refused."""
    dana, keychain = await dana_with_an_old_passkey(new_phone, pool)
    answer = keychain.get(await options(dana, "settings_confirm_passkey_options"))
    proven = await dana.client.post(dana.url("settings_confirm_passkey"), json=answer, headers=JSON)
    assert proven.status_code == 200, proven.text
    assert await asks(pool) == [True]

    await not_just_now(pool)
    asked = await options(dana, "delete_account_passkey_options")
    assert asked["userVerification"] == "required"
    refused = await dana.client.post(
        dana.url("delete_account_passkey"), json=tapped_only(keychain, asked), headers=JSON
    )
    assert refused.status_code == 400, refused.text
    assert refused.json()["error"] == NOT_VERIFIED
    assert (await dana.post(dana.url("delete_account_confirm"), {})).status_code == 403
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 1


async def test_signing_in_when_its_phone_asks_marks_it_too(new_phone, pool):
    _, keychain = await dana_with_an_old_passkey(new_phone, pool)
    laptop: Phone = await new_phone()
    assert (await sign_in_with(laptop, keychain)).status_code == 200  # her face, this time
    assert await asks(pool) == [True]
    assert "It's you: confirmed." in said(await laptop.get(laptop.url("delete_account")))


async def test_a_passkey_added_now_asks_at_once_beside_an_old_one(new_phone, pool):
    """The phone is told only to prefer asking while the old one is there, but a tap with the
    new one proves nothing."""
    dana, keychain = await dana_with_an_old_passkey(new_phone, pool)
    asked = await options(dana, "settings_confirm_passkey_options")
    tapped = await dana.client.post(
        dana.url("settings_confirm_passkey"), json=tapped_only(keychain, asked), headers=JSON
    )
    assert tapped.status_code == 200, tapped.text
    assert (await add_passkey(dana, keychain)).status_code == 201  # the newest in the keychain
    assert await asks(pool) == [False, True]

    await not_just_now(pool)
    asked = await options(dana, "delete_account_passkey_options")
    assert asked["userVerification"] == "preferred"
    refused = await dana.client.post(
        dana.url("delete_account_passkey"), json=tapped_only(keychain, asked), headers=JSON
    )
    assert refused.status_code == 400, refused.text
    assert refused.json()["error"] == NOT_VERIFIED


async def merge_offered(new_phone, pool, mail, app):  # type: ignore[no-untyped-def]
    """Alice's phone, whose card (no address, met Mia) has only an old passkey, on which Bob
    signs in: merging hers into his is offered."""
    alice_phone = await new_phone()
    await alice_phone.make_card(name="Alice Wu", email="")
    alices = SoftAuthenticator("http://testserver")
    assert (await add_passkey(alice_phone, alices)).status_code == 201
    await added_before_passkeys_had_to_ask(pool)
    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email="mia@example.com")
    await swap(mia, alice_phone)
    bob = await new_phone()
    await bob.make_card(name="Bob Roe", email="bob@example.com")
    await signs_in(alice_phone, mail, app, "bob@example.com")
    return alice_phone, alices


async def test_a_card_whose_only_passkey_is_old_merges_only_with_it(new_phone, pool, mail, app):
    """Bob, signed in on Alice's phone, cannot merge her card in for holding the phone; her
    old passkey, which only takes a tap, proves it is hers."""
    alice_phone, alices = await merge_offered(new_phone, pool, mail, app)
    assert WITH_A_PASSKEY in said(await alice_phone.get(alice_phone.url("sign_in_merge")))
    merge = await alice_phone.post(alice_phone.url("sign_in_merge_choose"), {"choice": "merge"})
    assert merge.status_code == 403
    assert "Mia Chen" not in text_of(await alice_phone.get(alice_phone.url("contacts")))

    asked = await options(alice_phone, "sign_in_merge_passkey_options")
    assert asked["userVerification"] == "preferred"
    proven = await alice_phone.client.post(
        alice_phone.url("sign_in_merge_passkey"), json=tapped_only(alices, asked), headers=JSON
    )
    assert proven.status_code == 200, proven.text
    merged = await alice_phone.post(alice_phone.url("sign_in_merge_choose"), {"choice": "merge"})
    assert merged.status_code == 303, said(merged)
    assert "Mia Chen" in text_of(await alice_phone.get(alice_phone.url("contacts")))


async def test_beside_a_new_passkey_the_old_one_goes_but_not_the_last(new_phone, pool):
    """Dana has her old passkey and a new one, no address: the old one goes without a proof
    (the new one still proves it's her); the new one, her last way of proof, does not."""
    dana, keychain = await dana_with_an_old_passkey(new_phone, pool)
    answer = tapped_only(keychain, await options(dana, "settings_confirm_passkey_options"))
    proven = await dana.client.post(dana.url("settings_confirm_passkey"), json=answer, headers=JSON)
    assert proven.status_code == 200, proven.text
    assert (await add_passkey(dana, keychain)).status_code == 201
    await not_just_now(pool)
    old, new = [row["id"] for row in await pool.fetch("SELECT id FROM passkeys ORDER BY id")]
    removed = await dana.post(dana.url("passkey_remove", passkey_id=old), {})
    assert removed.status_code == 303, said(removed)
    kept = await dana.post(dana.url("passkey_remove", passkey_id=new), {})
    assert kept.status_code == 403
    assert [row["id"] for row in await pool.fetch("SELECT id FROM passkeys")] == [new]


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
