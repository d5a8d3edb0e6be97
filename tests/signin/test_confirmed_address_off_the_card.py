"""An address confirmed for an account signs in to it from anywhere, whatever its card says now
(review r74): Dana signs in once by code, which confirms her address, then puts her work
address on her card; on a new phone her old address used to get no code at all ("If … is on
a card, we sent it a code", and none came), and the work address, not confirmed, is refused.
The rule for an address merely on a card stays: one not confirmed for an account with a way
of proof opens nothing, so whoever held her unlocked phone cannot put theirs there to sign in
as her."""

from __future__ import annotations

import re

from tests.mailing import code_sent
from tests.phone import Phone, text_of
from tests.signin.test_guests import signs_in
from tests.signin.test_moving import show_code

DANA = "dana@example.com"
WORK = "dana@work.example.com"
THIEF = "thief@example.com"
MERGE_SUBJECT = re.compile(r"^(\d{8}) is your code to merge")


async def dana_confirmed_then_changed_her_card(new_phone, mail, app) -> Phone:  # type: ignore[no-untyped-def]
    """Dana's phone: she signed in by code once on her laptop (her address is confirmed for
    her account), then put her work address on her card."""
    dana = await new_phone()
    await dana.make_card()
    laptop = await new_phone()
    assert (await signs_in(laptop, mail, app, DANA)).status_code == 303
    await dana.make_card(email=WORK)
    return dana


async def test_her_confirmed_address_signs_in_after_her_card_got_another(
    new_phone, pool, mail, app
):
    await dana_confirmed_then_changed_her_card(new_phone, mail, app)
    new = await new_phone()
    before = len(mail.received)
    signed = await signs_in(new, mail, app, DANA)
    assert [m.recipients for m in mail.received[before:]] == [(DANA,)], "a code to her old address"
    assert signed.status_code == 303, text_of(signed)
    assert "notice=signed_in" in signed.headers["location"]
    card = text_of(await new.get(new.url("card")))
    assert "Dana Lee" in card and WORK in card
    # Signed in to her own account: no new one, no card made for the old address.
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 1


async def test_the_address_she_put_on_her_card_still_needs_confirming(new_phone, pool, mail, app):
    """Not confirmed, the card's new address opens nothing; the page's advice, to sign in
    with the address she confirmed, now works."""
    await dana_confirmed_then_changed_her_card(new_phone, mail, app)
    new = await new_phone()
    refused = await signs_in(new, mail, app, WORK)
    assert refused.status_code == 403
    assert "the address you confirmed" in text_of(refused)
    assert (await signs_in(new, mail, app, DANA)).status_code == 303


async def test_a_strangers_address_on_her_card_still_cannot_sign_in(new_phone, pool, mail, app):
    """Whoever held her unlocked phone put his address on her card: his code opens nothing,
    and her confirmed address still signs her in."""
    dana = await dana_confirmed_then_changed_her_card(new_phone, mail, app)
    await dana.make_card(email=THIEF)
    thief = await new_phone()
    refused = await signs_in(thief, mail, app, THIEF)
    assert refused.status_code == 403
    assert "isn't confirmed for it yet" in text_of(refused)
    assert "Dana Lee" not in text_of(await thief.get(thief.url("card")))
    assert not await pool.fetchval(
        "SELECT count(*) FROM address_confirmations WHERE address = $1", THIEF
    )
    assert (await signs_in(await new_phone(), mail, app, DANA)).status_code == 303


async def test_a_card_someone_put_her_old_address_on_does_not_keep_her_out(
    new_phone, pool, mail, app
):
    """Mallory, whose own address is confirmed for her account, puts the address Dana took off
    her card on Mallory's: Dana's code signs Dana in to hers (it went to Mallory's account,
    which it may not open, and refused her), and confirms nothing for Mallory's."""
    await dana_confirmed_then_changed_her_card(new_phone, mail, app)
    mallory = await new_phone()
    await mallory.make_card(name="Mallory Mean", email="mallory@example.com")
    assert (await signs_in(await new_phone(), mail, app, "mallory@example.com")).status_code == 303
    await mallory.make_card(name="Mallory Mean", email=DANA)
    new = await new_phone()
    signed = await signs_in(new, mail, app, DANA)
    assert signed.status_code == 303, text_of(signed)
    card = text_of(await new.get(new.url("card")))
    assert "Dana Lee" in card and "Mallory" not in card
    mallorys = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Mallory Mean'")
    assert (
        await pool.fetchval(
            "SELECT count(*) FROM address_confirmations WHERE account_id = $1 AND address = $2",
            mallorys,
            DANA,
        )
        == 0
    )


async def test_an_address_confirmed_for_a_card_merged_in_signs_in_to_the_card_kept(
    new_phone, pool, mail, app
):
    """Her card in Safari, its address confirmed (she signed in with it on her laptop), is
    merged into the card she made in the installed app with her work address: the address
    confirmed for the card merged in is confirmed for the one kept, and signs in to it."""
    safari = await new_phone()
    await safari.make_card()
    assert (await signs_in(await new_phone(), mail, app, DANA)).status_code == 303
    installed = await new_phone()
    await installed.make_card(email=WORK)
    moved = await safari.post(safari.url("move_enter_submit"), {"code": await show_code(installed)})
    assert moved.status_code == 303
    # The card merged in has a way of proof: a code to its address first.
    assert "Email me a code" in text_of(await safari.get(safari.url("sign_in_merge")))
    await safari.post(safari.url("sign_in_merge_send_code"))
    code = await code_sent(app, mail, MERGE_SUBJECT, DANA)
    await safari.post(safari.url("sign_in_merge_check_code"), {"code": code})
    merged = await safari.post(safari.url("sign_in_merge_choose"), {"choice": "merge"})
    assert "notice=merged" in merged.headers["location"]
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 1
    new = await new_phone()
    signed = await signs_in(new, mail, app, DANA)
    assert signed.status_code == 303, text_of(signed)
    assert WORK in text_of(await new.get(new.url("card")))
