"""Passkeys: added in Settings, used to sign in anywhere; another site's passkey, a replayed
answer and a tampered challenge are refused with a readable message, nothing changed."""

from __future__ import annotations

import json

from webauthn.helpers import base64url_to_bytes, bytes_to_base64url

from tests.mailing import confirm_addresses
from tests.phone import soup, text_of
from tests.signin.authenticator import SoftAuthenticator

JSON = {"sec-fetch-site": "same-origin", "accept": "application/json"}


async def options(phone, name: str) -> dict:
    response = await phone.client.post(phone.url(name), headers=JSON)
    assert response.status_code == 200, response.text
    return response.json()


async def add_passkey(phone, authenticator: SoftAuthenticator):
    created = authenticator.create(await options(phone, "passkey_register_options"))
    return await phone.client.post(phone.url("passkey_register"), json=created, headers=JSON)


async def confirmed_with_passkey(phone, authenticator: SoftAuthenticator) -> None:
    """Settings' "Confirm it's you" with one of the account's passkeys: this session may add
    another for a few minutes."""
    answer = authenticator.get(await options(phone, "settings_confirm_passkey_options"))
    confirmed = await phone.client.post(
        phone.url("settings_confirm_passkey"), json=answer, headers=JSON
    )
    assert confirmed.status_code == 200, confirmed.text


async def sign_in_with(phone, authenticator: SoftAuthenticator, **tamper):
    answer = authenticator.get(await options(phone, "passkey_sign_in_options"), **tamper)
    return await phone.client.post(phone.url("passkey_sign_in"), json=answer, headers=JSON)


async def dana_with_a_passkey(new_phone):  # type: ignore[no-untyped-def]
    """Dana's phone, with a passkey added in Settings, and the keychain that holds it."""
    dana = await new_phone()
    await dana.make_card()
    keychain = SoftAuthenticator("http://testserver")
    added = await add_passkey(dana, keychain)
    assert added.status_code == 201, added.text
    return dana, keychain


async def test_a_passkey_added_in_settings_signs_in_another_browser(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    keychain = SoftAuthenticator("http://testserver")
    added = await add_passkey(dana, keychain)
    assert added.status_code == 201, added.text
    settings = text_of(await dana.get(dana.url("settings")))
    assert "Passkeys" in settings and "not used yet" in settings

    installed = await new_phone()
    signed = await sign_in_with(installed, keychain)
    assert signed.status_code == 200, signed.text
    assert signed.json()["redirect"].startswith("/contacts")
    assert "Dana Lee" in text_of(await installed.get(installed.url("card")))
    assert await pool.fetchval("SELECT sign_count FROM passkeys") == 1
    assert await pool.fetchval("SELECT signed_in_by FROM sessions ORDER BY id DESC LIMIT 1") == (
        "passkey"
    )
    assert "last used" in text_of(await dana.get(dana.url("settings")))


async def test_replayed_tampered_and_foreign_answers_are_refused(new_phone, pool):
    _, keychain = await dana_with_a_passkey(new_phone)
    stranger = await new_phone()
    answer = keychain.get(await options(stranger, "passkey_sign_in_options"))
    first = await stranger.client.post(stranger.url("passkey_sign_in"), json=answer, headers=JSON)
    assert first.status_code == 200
    replayed = await stranger.client.post(
        stranger.url("passkey_sign_in"), json=answer, headers=JSON
    )
    assert replayed.status_code == 400
    assert "expired or was already used" in replayed.json()["error"]

    # A challenge the server never gave (the client data edited): refused, nothing changed.
    answer = keychain.get(await options(stranger, "passkey_sign_in_options"))
    client_data = json.loads(base64url_to_bytes(answer["response"]["clientDataJSON"]))
    client_data["challenge"] = "AAAA" + client_data["challenge"][4:]
    answer["response"]["clientDataJSON"] = bytes_to_base64url(json.dumps(client_data).encode())
    tampered = await stranger.client.post(
        stranger.url("passkey_sign_in"), json=answer, headers=JSON
    )
    assert tampered.status_code == 400 and "Please try again" in tampered.json()["error"]

    # Made for another site: its origin is not ours.
    phishing = await sign_in_with(stranger, keychain, origin="https://evil.example")
    assert phishing.status_code == 400 and "could not sign you in" in phishing.json()["error"]
    assert await pool.fetchval("SELECT count(*) FROM sessions WHERE signed_in_by = 'passkey'") == 1


async def test_a_removed_passkey_no_longer_signs_in(new_phone, pool):
    dana, keychain = await dana_with_a_passkey(new_phone)
    passkey_id = await pool.fetchval("SELECT id FROM passkeys")
    # Asked twice, as removing it signs nothing in any more.
    page = soup(await dana.get(dana.url("settings")))
    form = page.select_one(f"form[action='{dana.url('passkey_remove', passkey_id=passkey_id)}']")
    asked = form.find_parent("details")
    assert asked.summary.get_text() == "Remove…"
    assert "It will no longer sign in to your account" in asked.get_text()
    # Her address confirmed: the passkey is not her last way to prove it is her
    # (tests/signin/test_passkeys_last_way.py).
    await confirm_addresses(pool, "dana@example.com")
    removed = await dana.post(dana.url("passkey_remove", passkey_id=passkey_id), {})
    assert removed.status_code == 303
    refused = await sign_in_with(await new_phone(), keychain)
    assert refused.status_code == 400 and "not one of ours" in refused.json()["error"]


async def test_a_passkey_whose_id_another_account_has_is_refused_in_words(new_phone):
    """An authenticator that answers with the credential ID of Dana's passkey (a tampered
    one, or a copy of hers) cannot add it to Mia's account: a clear 400, and Dana's passkey
    still signs in to Dana."""
    _, keychain = await dana_with_a_passkey(new_phone)
    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email="mia@example.com")
    copied = SoftAuthenticator("http://testserver")
    created = copied.create(
        await options(mia, "passkey_register_options"),
        credential_id=keychain.passkeys[0].credential_id,
    )
    refused = await mia.client.post(mia.url("passkey_register"), json=created, headers=JSON)
    assert refused.status_code == 400, refused.text
    assert refused.json()["error"] == "That passkey is already in use."
    assert soup(await mia.get(mia.url("settings"))).select_one("#passkeys") is None, "none added"
    laptop = await new_phone()
    assert (await sign_in_with(laptop, keychain)).status_code == 200
    assert "Dana Lee" in text_of(await laptop.get(laptop.url("card")))


async def test_adding_a_passkey_needs_a_signed_in_browser(new_phone):
    stranger = await new_phone()
    response = await stranger.client.post(stranger.url("passkey_register_options"), headers=JSON)
    assert response.status_code == 404


async def test_answers_that_are_not_passkey_answers_are_a_clear_400(new_phone, pool):
    dana, keychain = await dana_with_a_passkey(new_phone)
    stranger = await new_phone()
    not_json = bytes_to_base64url(b"not json")
    for client_data in ("e30", not_json):  # "{}", then bytes that are no JSON at all
        odd = {"id": "x", "rawId": "x", "response": {"clientDataJSON": client_data}}
        refused = await stranger.client.post(
            stranger.url("passkey_sign_in"), json=odd, headers=JSON
        )
        assert refused.status_code == 400, refused.text
        assert "could not be read" in refused.json()["error"]

    # The right challenge, but the rest of the answer missing: refused before it signs in.
    answer = keychain.get(await options(stranger, "passkey_sign_in_options"))
    del answer["response"]["authenticatorData"]
    cut = await stranger.client.post(stranger.url("passkey_sign_in"), json=answer, headers=JSON)
    assert cut.status_code == 400, cut.text
    assert "Please try again" in cut.json()["error"]

    # Adding one the same way (her second: she confirms it's her first), with the attestation
    # missing: refused, nothing added.
    await confirmed_with_passkey(dana, keychain)
    created = keychain.create(await options(dana, "passkey_register_options"))
    del created["response"]["attestationObject"]
    added = await dana.client.post(dana.url("passkey_register"), json=created, headers=JSON)
    assert added.status_code == 400, added.text
    assert "Please try again" in added.json()["error"]
    assert await pool.fetchval("SELECT count(*) FROM passkeys") == 1
    assert await pool.fetchval("SELECT count(*) FROM sessions WHERE signed_in_by = 'passkey'") == 0


async def test_asking_for_passkey_sign_ins_without_end_is_held_back(new_phone, pool):
    """Each ask keeps a challenge for five minutes: a venue's network may ask often (120 in
    ten minutes), a script asking without end is refused in words, keeping nothing more."""
    stranger = await new_phone()
    for _ in range(120):
        await options(stranger, "passkey_sign_in_options")
    refused = await stranger.client.post(stranger.url("passkey_sign_in_options"), headers=JSON)
    assert refused.status_code == 429
    assert refused.json()["error"].startswith("Too many passkey sign-ins from this network")
    assert int(refused.headers["retry-after"]) > 0
    assert await pool.fetchval("SELECT count(*) FROM webauthn_challenges") == 120
