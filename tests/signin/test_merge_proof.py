"""Merging an account in takes its contacts: whoever holds an unlocked phone for a minute
could sign in to their own account on it and take its owner's. An account with a way to
confirm it is them is merged only after that proof: a code to its confirmed address, or one of
its passkeys."""

from __future__ import annotations

from tests.mailing import confirm_addresses
from tests.phone import soup, text_of
from tests.signin.authenticator import SoftAuthenticator
from tests.signin.test_guests import signs_in
from tests.signin.test_merging import (
    MERGE_SUBJECT,
    bob_signs_in_on_alices_phone,
    proves_with_the_code,
    swap,
)
from tests.signin.test_passkeys import JSON, add_passkey, options


def said(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(text_of(response).split())


async def test_someone_elses_account_is_not_merged_without_a_code_from_its_inbox(
    new_phone, pool, mail, app
):
    alice_phone, laptop = await bob_signs_in_on_alices_phone(new_phone, mail, app)
    offer = await alice_phone.get(alice_phone.url("sign_in_merge"))
    page = said(offer)
    assert "First, confirm the card of Alice Wu is yours" in page
    assert "we email a code to alice@example.com, the address confirmed for it" in page
    assert soup(offer).find("button", string="Merge into my account") is None
    assert soup(offer).find("button", string="Keep them apart") is not None

    refused = await alice_phone.post(alice_phone.url("sign_in_merge_choose"), {"choice": "merge"})
    assert refused.status_code == 403
    assert "Confirm that card is yours first. Nothing was merged." in said(refused)
    assert "Mia Chen" not in text_of(await alice_phone.get(alice_phone.url("contacts")))
    assert "Mia Chen" in text_of(await laptop.get(laptop.url("contacts"))), "still Alice's"


async def test_the_code_goes_to_the_cards_address_and_a_wrong_one_merges_nothing(
    new_phone, pool, mail, app
):
    alice_phone, _ = await bob_signs_in_on_alices_phone(new_phone, mail, app)
    asked = await alice_phone.post(alice_phone.url("sign_in_merge_send_code"))
    step = await alice_phone.get(asked.headers["location"])
    assert "We sent a code to alice@example.com. It works for 10 minutes." in said(step)
    wrong = await alice_phone.post(
        alice_phone.url("sign_in_merge_check_code"), {"code": "00000000"}
    )
    assert wrong.status_code == 422
    assert "That code is not right. 4 tries left." in said(wrong)
    # A code to sign in to Alice's account, from the same inbox, is not a code to merge it.
    assert (
        await alice_phone.post(alice_phone.url("sign_in_merge_choose"), {"choice": "merge"})
    ).status_code == 403

    await proves_with_the_code(alice_phone, mail, app, "alice@example.com")
    email = next(m for m in reversed(mail.received) if MERGE_SUBJECT.match(m.subject))
    body = " ".join(email.message.get_body(("plain",)).get_content().split())
    assert "Didn't ask? Nothing is merged unless this code, or one of your passkeys" in body
    proven = await alice_phone.get(alice_phone.url("sign_in_merge"))
    assert "Confirmed: the card of Alice Wu is yours." in said(proven)
    merged = await alice_phone.post(alice_phone.url("sign_in_merge_choose"), {"choice": "merge"})
    assert merged.status_code == 303
    assert "Mia Chen" in text_of(await alice_phone.get(alice_phone.url("contacts")))


async def test_a_sign_in_code_to_an_address_confirmed_for_the_card_is_proof_enough(
    new_phone, pool, mail, app
):
    """Dana's Safari card once had dana.l@example.com, confirmed; her app's card has it now.
    Signing Safari in to the app's account with a code to that address proved it: the merge
    asks nothing more."""
    safari = await new_phone()
    await safari.make_card(name="Dana Lee", email="dana@example.com")
    sam = await new_phone()
    await sam.make_card(name="Sam Park", email="sam@example.com")
    await swap(safari, sam)
    await pool.execute(
        "INSERT INTO email_addresses (address, confirmed_at) VALUES ('dana.l@example.com', now())"
        " ON CONFLICT (address) DO NOTHING"
    )
    await pool.execute(
        "INSERT INTO address_confirmations (address, account_id)"
        " SELECT 'dana.l@example.com', account_id FROM cards WHERE name = 'Dana Lee'"
    )
    installed = await new_phone()
    await installed.make_card(name="Dana L.", email="dana.l@example.com")
    signed = await signs_in(safari, mail, app, "dana.l@example.com")
    assert signed.headers["location"] == safari.url("sign_in_merge") + "?notice=signed_in"
    offer = await safari.get(safari.url("sign_in_merge"))
    assert "First, confirm" not in said(offer)
    merged = await safari.post(safari.url("sign_in_merge_choose"), {"choice": "merge"})
    assert merged.status_code == 303
    assert "Sam Park" in text_of(await installed.get(installed.url("contacts")))


async def test_a_passkey_of_the_card_proves_it_and_another_accounts_does_not(
    new_phone, pool, mail, app
):
    """Alice has no confirmed address, only a passkey: Bob, signed in on her phone, is asked
    for one of her passkeys, and his own does not do."""
    alice_phone = await new_phone()
    await alice_phone.make_card(name="Alice Wu", email="")
    alices = SoftAuthenticator("http://testserver")
    assert (await add_passkey(alice_phone, alices)).status_code == 201
    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email="mia@example.com")
    await swap(mia, alice_phone)
    bob = await new_phone()
    await bob.make_card(name="Bob Roe", email="bob@example.com")
    bobs = SoftAuthenticator("http://testserver")
    assert (await add_passkey(bob, bobs)).status_code == 201
    # His address confirmed (with a passkey, an unconfirmed one signs in nowhere).
    await confirm_addresses(pool, "bob@example.com")
    await signs_in(alice_phone, mail, app, "bob@example.com")

    offer = said(await alice_phone.get(alice_phone.url("sign_in_merge")))
    assert "you confirm it with one of its passkeys" in offer
    assert "Confirm with a passkey" in offer
    refused = await alice_phone.post(alice_phone.url("sign_in_merge_choose"), {"choice": "merge"})
    assert refused.status_code == 403

    wrong = bobs.get(await options(alice_phone, "sign_in_merge_passkey_options"))
    answered = await alice_phone.client.post(
        alice_phone.url("sign_in_merge_passkey"), json=wrong, headers=JSON
    )
    assert answered.status_code == 400
    refusal = answered.json()["error"]
    assert refusal == "That passkey is not one of that card's. Use one made for it."

    right = alices.get(await options(alice_phone, "sign_in_merge_passkey_options"))
    answered = await alice_phone.client.post(
        alice_phone.url("sign_in_merge_passkey"), json=right, headers=JSON
    )
    assert answered.status_code == 200, answered.text
    assert answered.json() == {"redirect": alice_phone.url("sign_in_merge")}
    merged = await alice_phone.post(alice_phone.url("sign_in_merge_choose"), {"choice": "merge"})
    assert merged.status_code == 303
    assert "Mia Chen" in text_of(await alice_phone.get(alice_phone.url("contacts")))
