"""A passkey is added only when the phone asks for a face, fingerprint or PIN: every proof a
passkey gives (deleting, merging, "Confirm it's you") requires that, so one that cannot ask
(some security keys, password managers) would be a way of proof that never proves, and lock
its owner out of confirming an address, adding a passkey and deleting her account."""

from __future__ import annotations

import hashlib
from typing import Any

from webauthn.helpers import base64url_to_bytes

from tests.phone import soup, text_of
from tests.signin.authenticator import SoftAuthenticator, b64
from tests.signin.test_passkeys import JSON, add_passkey, options


def created_without_asking(keychain: SoftAuthenticator, asked: dict[str, Any]) -> dict[str, Any]:
    """The passkey as a key that only asks for a tap makes it: user present, not verified."""
    created = keychain.create(asked)
    attestation = base64url_to_bytes(created["response"]["attestationObject"])
    # authData's flags byte follows the 32-byte hash of the relying party's id.
    at = attestation.index(hashlib.sha256(keychain.passkeys[-1].rp_id.encode()).digest()) + 32
    assert attestation[at] == 0x45  # user present, verified, attested credential data
    attestation = attestation[:at] + bytes([0x41]) + attestation[at + 1 :]
    created["response"]["attestationObject"] = b64(attestation)
    return created


async def test_a_passkey_that_cannot_ask_for_her_face_is_not_added(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()  # no way of proof yet: her first passkey needs no proof
    keychain = SoftAuthenticator("http://testserver")
    asked = await options(dana, "passkey_register_options")
    assert asked["authenticatorSelection"]["userVerification"] == "required"
    refused = await dana.client.post(
        dana.url("passkey_register"), json=created_without_asking(keychain, asked), headers=JSON
    )
    assert refused.status_code == 400
    assert refused.json()["error"].startswith(
        "This passkey didn't ask for your face, fingerprint or PIN, so it could not be added"
    )
    assert await pool.fetchval("SELECT count(*) FROM passkeys") == 0
    # Nothing locked: deleting still asks only for the word.
    assert 'Type "delete" to confirm' in text_of(await dana.get(dana.url("delete_account")))

    # One that asks is added, as before.
    assert (await add_passkey(dana, keychain)).status_code == 201
    assert await pool.fetchval("SELECT count(*) FROM passkeys") == 1


async def test_settings_says_why_no_passkey_was_added(new_phone):
    """In the browser, a phone that cannot ask gives no answer at all: the button says that
    may be why."""
    dana = await new_phone()
    await dana.make_card()
    button = soup(await dana.get(dana.url("settings"))).find("button", string="Add a passkey")
    assert button["data-cancelled"] == (
        "No passkey was added: it was cancelled, or this phone can't ask for your face,"
        " fingerprint or PIN, which a passkey needs here."
    )
