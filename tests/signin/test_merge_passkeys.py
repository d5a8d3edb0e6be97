"""Two cards, one person: merging one card's account into the other brings its passkeys along,
so the phone that signs in with one of them signs in to the account kept (they were deleted
with the card merged in, leaving that phone no way in at all)."""

from __future__ import annotations

from tests.phone import text_of
from tests.signin.authenticator import SoftAuthenticator
from tests.signin.test_guests import signs_in
from tests.signin.test_merging import swap
from tests.signin.test_passkeys import JSON, add_passkey, options, sign_in_with


def said(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(text_of(response).split())


async def test_a_passkey_of_the_card_merged_in_signs_in_to_the_account_kept(
    new_phone, pool, mail, app
):
    """Dana's card in Safari has a passkey, which her tablet signs in with too (one keychain).
    Later, in Safari, she signs in to the card she made in the installed app, and merges
    Safari's in: the tablet's passkey then signs in to the app's card, with all her contacts."""
    safari = await new_phone()
    await safari.make_card(name="Dana Lee", email="dana@example.com")
    keychain = SoftAuthenticator("http://testserver")
    assert (await add_passkey(safari, keychain)).status_code == 201
    sam = await new_phone()
    await sam.make_card(name="Sam Park", email="sam@example.com")
    await swap(safari, sam)
    installed = await new_phone()
    await installed.make_card(name="Dana L.", email="dana.l@example.com")

    await signs_in(safari, mail, app, "dana.l@example.com")
    offer = said(await safari.get(safari.url("sign_in_merge")))
    assert "Its passkey comes along: from then on it signs in to Dana L." in offer
    # The card merged in has a passkey: it is proven Dana's with it first.
    answer = keychain.get(await options(safari, "sign_in_merge_passkey_options"))
    proven = await safari.client.post(
        safari.url("sign_in_merge_passkey"), json=answer, headers=JSON
    )
    assert proven.status_code == 200, proven.text
    merged = await safari.post(safari.url("sign_in_merge_choose"), {"choice": "merge"})
    assert merged.headers["location"] == safari.url("contacts") + "?notice=merged"

    tablet = await new_phone()
    signed = await sign_in_with(tablet, keychain)
    assert signed.status_code == 200, signed.text
    assert "Dana L." in text_of(await tablet.get(tablet.url("card")))
    assert "Sam Park" in text_of(await tablet.get(tablet.url("contacts")))
    # Hers to manage, with the account's others, in Settings.
    assert "last used" in text_of(await installed.get(installed.url("settings")))
