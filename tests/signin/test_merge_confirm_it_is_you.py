"""Merging another account in brings the addresses confirmed for it, each of which then signs
in to the account merged into: so, as adding a way of proof does, merging into an account with
a way of proof asks for "Confirm it's you" in this session. Else whoever holds Dana's unlocked
phone shows a move code, types it on their own phone (holding their own account), merges
their own account in (proven with their own inbox), and a code to their address opens Dana's
account from anywhere, for good."""

from __future__ import annotations

from tests.mailing import code_sent, confirm_addresses
from tests.phone import soup, text_of
from tests.signin.test_guests import LOU, dana_types_lou, signs_in
from tests.signin.test_merging import bob_signs_in_on_alices_phone, proves_with_the_code, swap
from tests.signin.test_moving import show_code
from tests.signin.test_proving import DANA, PROVE_SUBJECT, SIGN_IN_SUBJECT, THIEF

NOT_YOU = "Confirm it's you first, with a code by email or a passkey"


async def confirmed_for_dana(pool, address: str) -> int:  # type: ignore[no-untyped-def]
    return int(
        await pool.fetchval(
            "SELECT count(*) FROM address_confirmations x JOIN cards c USING (account_id)"
            " WHERE c.name = 'Dana Lee' AND x.address = $1",
            address,
        )
    )


async def thief_moves_dana_to_his_phone(new_phone, pool):  # type: ignore[no-untyped-def]
    """Dana's account (her address confirmed) and the thief's phone, holding his own account
    (his address confirmed, a contact), signed in to Dana's by a move code shown on her
    unlocked phone: offered to merge his own in."""
    dana = await new_phone()
    await dana.make_card()  # Dana Lee, dana@example.com
    await confirm_addresses(pool, DANA)
    thief = await new_phone()
    await thief.make_card(name="T Hief", email=THIEF)
    await confirm_addresses(pool, THIEF)
    await swap(thief, await _mia(new_phone))
    entered = await thief.post(thief.url("move_enter_submit"), {"code": await show_code(dana)})
    assert entered.headers["location"].startswith(thief.url("sign_in_merge"))
    return dana, thief


async def _mia(new_phone):  # type: ignore[no-untyped-def]
    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email="mia@example.com")
    return mia


async def test_a_move_code_then_a_merge_does_not_give_the_thief_a_way_in(
    new_phone, pool, app, mail
):
    _, thief = await thief_moves_dana_to_his_phone(new_phone, pool)
    # His own account, proven with his own inbox: that proof stays as it was.
    await proves_with_the_code(thief, mail, app, THIEF)
    page = await thief.get(thief.url("sign_in_merge"))
    said = " ".join(text_of(page).split())
    assert "Confirmed: the card of T Hief is yours." in said
    assert "Confirm it's you, Dana Lee" in said
    assert f"show it's you, with a code to {DANA}" in said
    assert soup(page).find("button", string="Merge into my account") is None
    link = soup(page).find("a", string="Confirm it's you")
    assert link["href"] == thief.url("settings_confirm") + "?then=merge"

    # Merging anyway: refused in words, nothing merged.
    merged = await thief.post(thief.url("sign_in_merge_choose"), {"choice": "merge"})
    assert merged.status_code == 403
    assert NOT_YOU in soup(merged).select_one("#merge-me [role=alert]").get_text()
    assert await confirmed_for_dana(pool, THIEF) == 0
    assert await pool.fetchval("SELECT count(*) FROM cards WHERE name = 'T Hief'") == 1

    # So his address on her card does not open her account: a code to it opens his own.
    await thief.make_card(name="Dana Lee", email=THIEF)
    anywhere = await new_phone()
    await anywhere.post(anywhere.url("sign_in_ask"), {"email": THIEF})
    code = await code_sent(app, mail, SIGN_IN_SUBJECT, THIEF)
    signed = await anywhere.post(anywhere.url("sign_in_code"), {"email": THIEF, "code": code})
    assert signed.status_code == 303
    card = text_of(await anywhere.get(anywhere.url("card")))
    assert "T Hief" in card and "Dana Lee" not in card


async def test_the_owner_confirms_it_is_her_and_merges(new_phone, pool, app, mail):
    """Dana herself, who moved to her new phone holding an old account of hers: "Confirm it's
    you" (a code to her address) takes her back to the merge page, and the merge goes."""
    _, phone = await thief_moves_dana_to_his_phone(new_phone, pool)
    await proves_with_the_code(phone, mail, app, THIEF)
    page = await phone.get(phone.url("settings_confirm") + "?then=merge")
    said = " ".join(text_of(page).split())
    assert "before you merge, show it's you" in said
    assert soup(page).find("a", string="Back to merging")["href"] == phone.url("sign_in_merge")
    send = soup(page).find("button", string="Email me a code").find_parent("form")
    asked = await phone.post(send["action"], {"then": "merge"})
    step = await phone.get(asked.headers["location"])
    code = await code_sent(app, mail, PROVE_SUBJECT, DANA)
    check = soup(step).find("button", string="Confirm it's me").find_parent("form")
    checked = await phone.post(check["action"], {"then": "merge", "code": code})
    assert checked.status_code == 303
    assert checked.headers["location"] == phone.url("sign_in_merge")

    page = await phone.get(phone.url("sign_in_merge"))
    assert soup(page).find("button", string="Merge into my account") is not None
    merged = await phone.post(phone.url("sign_in_merge_choose"), {"choice": "merge"})
    assert merged.status_code == 303
    assert "Mia Chen" in text_of(await phone.get(phone.url("contacts")))
    assert await confirmed_for_dana(pool, THIEF) == 1


async def test_a_sign_in_by_email_code_merges_at_once_and_asks_again_later(
    new_phone, pool, mail, app
):
    """The usual path, "two cards, one person": the sign-in's email code is a fresh proof, so
    nothing more is asked within 5 minutes; after that, "Confirm it's you" first."""
    alice_phone, _ = await bob_signs_in_on_alices_phone(new_phone, mail, app)
    await proves_with_the_code(alice_phone, mail, app, "alice@example.com")
    await pool.execute("UPDATE sessions SET fresh_sign_in_at = now() - interval '6 minutes'")
    page = await alice_phone.get(alice_phone.url("sign_in_merge"))
    assert soup(page).find("button", string="Merge into my account") is None
    assert "Confirm it's you, Bob Roe" in text_of(page)
    refused = await alice_phone.post(alice_phone.url("sign_in_merge_choose"), {"choice": "merge"})
    assert refused.status_code == 403
    await pool.execute("UPDATE sessions SET fresh_sign_in_at = now()")
    merged = await alice_phone.post(alice_phone.url("sign_in_merge_choose"), {"choice": "merge"})
    assert merged.headers["location"] == alice_phone.url("contacts") + "?notice=merged"


async def test_a_guest_card_is_merged_after_confirming_and_deleted_without(
    new_phone, pool, mail, app
):
    """The same for a guest card someone typed (offered after an email code, so usually
    within the 5 minutes); deleting it brings nothing, and asks nothing."""
    lou_own = await new_phone()
    await lou_own.make_card(**LOU, headline="Chef")
    await dana_types_lou(new_phone, name="Lou from the bakery")
    laptop = await new_phone()
    await signs_in(laptop, mail, app)
    await pool.execute("UPDATE sessions SET fresh_sign_in_at = now() - interval '6 minutes'")
    page = await laptop.get(laptop.url("sign_in_merge"))
    assert soup(page).find("button", string="Merge into my account") is None
    assert soup(page).find("a", string="Confirm it's you") is not None
    refused = await laptop.post(laptop.url("sign_in_merge_choose"), {"choice": "merge"})
    assert refused.status_code == 403
    assert NOT_YOU in soup(refused).select_one("#merge-me [role=alert]").get_text()
    deleted = await laptop.post(laptop.url("sign_in_merge_choose"), {"choice": "delete"})
    assert deleted.headers["location"] == laptop.url("contacts") + "?notice=guest_deleted"
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE guest") == 0
