"""The merge's proof about the card merged in counts its ways as "Confirm it's you" does: an
address whose mail bounces is no way of proof (its code may never arrive). With no passkey
either, that account has nothing but the session that held it, as one with no way of proof;
and of several addresses confirmed for it, the code goes to one that does not bounce."""

from __future__ import annotations

import asyncio

from tests.mailing import confirm_addresses
from tests.phone import soup, text_of
from tests.signin.authenticator import SoftAuthenticator
from tests.signin.test_merging import bob_signs_in_on_alices_phone, proves_with_the_code
from tests.signin.test_passkeys import add_passkey


def said(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(text_of(response).split())


async def bounced(pool, address: str) -> None:  # type: ignore[no-untyped-def]
    await pool.execute(
        "UPDATE email_addresses SET bounced_at = now(), bounce_reason = '550 no such user'"
        " WHERE address = $1",
        address,
    )


async def test_a_card_whose_only_address_bounces_and_no_passkey_merges_as_one_with_no_proof(
    new_phone, pool, mail, app
):
    """Alice's only confirmed address bounces now, and she has no passkey: the code would never
    arrive, so the phone that held her card merges it as one with no way of proof."""
    alice_phone, _ = await bob_signs_in_on_alices_phone(new_phone, mail, app)
    await bounced(pool, "alice@example.com")
    offer = await alice_phone.get(alice_phone.url("sign_in_merge"))
    assert "First, confirm the card of Alice Wu is yours" not in said(offer)
    assert soup(offer).find("button", string="Merge into my account") is not None

    merged = await alice_phone.post(alice_phone.url("sign_in_merge_choose"), {"choice": "merge"})
    assert merged.headers["location"] == alice_phone.url("contacts") + "?notice=merged"
    assert "Mia Chen" in text_of(await alice_phone.get(alice_phone.url("contacts")))


async def test_a_code_goes_to_an_address_confirmed_for_the_card_that_does_not_bounce(
    new_phone, pool, mail, app
):
    """The card's address bounces, but another confirmed for it does not: that one is the way
    of proof, and the merge still asks for it."""
    alice_phone, laptop = await bob_signs_in_on_alices_phone(new_phone, mail, app)
    await laptop.make_card(name="Alice Wu", email="alice.w@example.com")
    await confirm_addresses(pool, "alice.w@example.com")
    await laptop.make_card(name="Alice Wu", email="alice@example.com")
    await bounced(pool, "alice@example.com")

    offer = await alice_phone.get(alice_phone.url("sign_in_merge"))
    assert "we email a code to alice.w@example.com, the address confirmed for it" in said(offer)
    assert "bounced" not in said(offer)
    refused = await alice_phone.post(alice_phone.url("sign_in_merge_choose"), {"choice": "merge"})
    assert refused.status_code == 403
    await proves_with_the_code(alice_phone, mail, app, "alice.w@example.com")
    merged = await alice_phone.post(alice_phone.url("sign_in_merge_choose"), {"choice": "merge"})
    assert merged.headers["location"] == alice_phone.url("contacts") + "?notice=merged"


async def test_a_card_whose_address_bounces_but_that_has_a_passkey_still_asks_for_proof(
    new_phone, pool, mail, app
):
    """Her passkey is a way of proof still: the merge asks for it (or a code, which may not
    arrive, and the page says so)."""
    alice_phone, laptop = await bob_signs_in_on_alices_phone(new_phone, mail, app)
    assert (await add_passkey(laptop, SoftAuthenticator("http://testserver"))).status_code == 201
    await bounced(pool, "alice@example.com")
    offer = said(await alice_phone.get(alice_phone.url("sign_in_merge")))
    assert "First, confirm the card of Alice Wu is yours" in offer
    assert "Our last email to alice@example.com bounced, so the code may not arrive." in offer
    refused = await alice_phone.post(alice_phone.url("sign_in_merge_choose"), {"choice": "merge"})
    assert refused.status_code == 403


async def test_a_passkey_added_to_the_card_while_it_is_merged_stops_the_merge(
    new_phone, pool, mail, app
):
    """Alice's card has no way of proof (its address bounces), so the phone that held it may
    merge it; a first passkey added to it from a browser still signed in to it, at the very
    moment of the merge, is a way of proof the merge has not had: it is refused, not brought
    along unproven."""
    alice_phone, _ = await bob_signs_in_on_alices_phone(new_phone, mail, app)
    await bounced(pool, "alice@example.com")
    source = await pool.fetchval("SELECT merge_from FROM sessions WHERE merge_from IS NOT NULL")
    async with pool.acquire() as other_browser:
        adding = other_browser.transaction()
        await adding.start()
        await other_browser.execute(
            "INSERT INTO passkeys (account_id, credential_id, public_key, name)"
            " VALUES ($1, '\\x01'::bytea, '\\x02'::bytea, 'Chrome on a laptop')",
            source,
        )
        merging = asyncio.create_task(
            alice_phone.post(alice_phone.url("sign_in_merge_choose"), {"choice": "merge"})
        )
        await asyncio.sleep(0.5)  # the merge is under way, waiting for the passkey's row
        await adding.commit()
        refused = await merging
    assert refused.status_code == 403
    assert "Confirm that card is yours first. Nothing was merged." in said(refused)
    assert await pool.fetchval("SELECT account_id FROM passkeys") == source
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE id = $1", source) == 1
