"""A passkey proves an account is its owner's (before deleting it, or merging it into another)
only when the phone asked for a face, fingerprint or PIN: whoever holds an unlocked phone whose
passkeys do not ask again must not pass the proof by tapping. Signing in with a passkey still
only prefers it: the phone holding the passkey is the phone signed in already."""

from __future__ import annotations

import hashlib
import struct
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers import base64url_to_bytes

from tests.phone import Phone, soup, text_of
from tests.signin.authenticator import Passkey, SoftAuthenticator, b64
from tests.signin.test_guests import signs_in
from tests.signin.test_merging import swap
from tests.signin.test_passkeys import JSON, add_passkey, options

NOT_VERIFIED = (
    "This passkey didn't ask for your face, fingerprint or PIN, so it can't confirm it's you. "
    "Use a passkey that does, or Email me a code."
)


def tapped_only(keychain: SoftAuthenticator, asked: dict[str, Any]) -> dict[str, Any]:
    """The keychain's answer as a phone gives it when it did not ask for a face, fingerprint or
    PIN: the user-verified flag clear, signed again (the signature covers the flags)."""
    answer = keychain.get(asked)
    passkey: Passkey = keychain.passkeys[-1]
    auth_data = (
        hashlib.sha256(passkey.rp_id.encode()).digest()
        + bytes([0x01])  # user present; not verified
        + struct.pack(">I", passkey.sign_count)
    )
    client_data = base64url_to_bytes(answer["response"]["clientDataJSON"])
    signature = passkey.key.sign(
        auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
    )
    answer["response"]["authenticatorData"] = b64(auth_data)
    answer["response"]["signature"] = b64(signature)
    return answer


async def test_deleting_needs_a_passkey_that_asked_for_her_face(new_phone, pool):
    dana = await new_phone()
    await dana.make_card(email="")
    keychain = SoftAuthenticator("http://testserver")
    assert (await add_passkey(dana, keychain)).status_code == 201
    asked = await options(dana, "delete_account_passkey_options")
    assert asked["userVerification"] == "required", "the phone is told to ask"

    answer = tapped_only(keychain, asked)
    refused = await dana.client.post(dana.url("delete_account_passkey"), json=answer, headers=JSON)
    assert refused.status_code == 400, refused.text
    assert refused.json()["error"] == NOT_VERIFIED
    page = await dana.get(dana.url("delete_account"))
    assert "First, confirm it's you" in text_of(page), "not confirmed"
    assert (await dana.post(dana.url("delete_account_confirm"))).status_code == 403
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 1

    answer = keychain.get(await options(dana, "delete_account_passkey_options"))
    confirmed = await dana.client.post(
        dana.url("delete_account_passkey"), json=answer, headers=JSON
    )
    assert confirmed.status_code == 200, confirmed.text
    assert "It's you: confirmed." in text_of(await dana.get(dana.url("delete_account")))


async def test_merging_needs_a_passkey_that_asked_for_her_face(new_phone, mail, app):
    """Bob, signed in on Alice's phone, taps her passkey, which does not ask for her face: her
    card is not proven his, and her contacts stay hers."""
    alice_phone = await new_phone()
    await alice_phone.make_card(name="Alice Wu", email="")
    alices = SoftAuthenticator("http://testserver")
    assert (await add_passkey(alice_phone, alices)).status_code == 201
    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email="mia@example.com")
    await swap(mia, alice_phone)
    bob = await new_phone()
    await bob.make_card(name="Bob Roe", email="bob@example.com")
    await signs_in(alice_phone, mail, app, "bob@example.com")

    asked = await options(alice_phone, "sign_in_merge_passkey_options")
    assert asked["userVerification"] == "required"
    answer = tapped_only(alices, asked)
    refused = await alice_phone.client.post(
        alice_phone.url("sign_in_merge_passkey"), json=answer, headers=JSON
    )
    assert refused.status_code == 400, refused.text
    assert refused.json()["error"] == NOT_VERIFIED
    merge = await alice_phone.post(alice_phone.url("sign_in_merge_choose"), {"choice": "merge"})
    assert merge.status_code == 403
    assert "Mia Chen" not in text_of(await alice_phone.get(alice_phone.url("contacts")))

    answer = alices.get(await options(alice_phone, "sign_in_merge_passkey_options"))
    proven = await alice_phone.client.post(
        alice_phone.url("sign_in_merge_passkey"), json=answer, headers=JSON
    )
    assert proven.status_code == 200, proven.text
    merged = await alice_phone.post(alice_phone.url("sign_in_merge_choose"), {"choice": "merge"})
    assert merged.status_code == 303
    assert "Mia Chen" in text_of(await alice_phone.get(alice_phone.url("contacts")))


async def test_signing_in_with_a_passkey_still_only_prefers_it_and_proves_only_with_it(
    new_phone,
):
    dana = await new_phone()
    await dana.make_card()
    keychain = SoftAuthenticator("http://testserver")
    assert (await add_passkey(dana, keychain)).status_code == 201
    laptop: Phone = await new_phone()
    asked = await options(laptop, "passkey_sign_in_options")
    assert asked["userVerification"] == "preferred"
    signed = await laptop.client.post(
        laptop.url("passkey_sign_in"), json=tapped_only(keychain, asked), headers=JSON
    )
    assert signed.status_code == 200, signed.text
    assert soup(await laptop.get(laptop.url("card"))).find(string="Dana Lee") is not None
    # But such a sign-in proves nothing: deleting and adding a passkey still ask for a proof.
    assert "First, confirm it's you" in text_of(await laptop.get(laptop.url("delete_account")))
    refused = await laptop.client.post(laptop.url("passkey_register_options"), headers=JSON)
    assert refused.status_code == 403, refused.text

    # A sign-in for which the phone asked for her face is one.
    tablet: Phone = await new_phone()
    answer = keychain.get(await options(tablet, "passkey_sign_in_options"))
    signed = await tablet.client.post(tablet.url("passkey_sign_in"), json=answer, headers=JSON)
    assert signed.status_code == 200, signed.text
    assert "It's you: confirmed." in text_of(await tablet.get(tablet.url("delete_account")))
