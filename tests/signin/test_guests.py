"""Guests: details typed on someone else's phone make an account with no session. Signing in
with that email makes it theirs: to keep, correct or delete; or, for someone whose own card
has the address, it is offered: merge it in, or delete it."""

from __future__ import annotations

import re

from tests.mailing import code_sent, link_in
from tests.phone import Phone, soup, text_of

CODE = re.compile(r"^Your Reachout code: (\d{8})$")
LOU = {"name": "Lou Park", "email": "lou@example.com"}


async def dana_types_lou(new_phone, **lou: str) -> Phone:
    dana = await new_phone()
    await dana.make_card()
    typed = await dana.post(dana.url("tap_guest"), {**LOU, **lou})
    assert typed.status_code == 303
    return dana


async def signs_in(phone: Phone, mail, app, address: str = "lou@example.com"):
    await phone.post(phone.url("sign_in_ask"), {"email": address})
    code = await code_sent(app, mail, CODE, address)
    return await phone.post(phone.url("sign_in_code"), {"email": address, "code": code})


async def lou_offered_the_card_dana_typed(new_phone, pool, mail, app) -> tuple[Phone, int, int]:
    """Dana typed Lou's details ("Lou (Dana's)"); Lou, with a card of his own, signs in on his
    laptop with a code to his address, which offers him that guest card there (merge it in, or
    delete it). His laptop, the guest's account and his own."""
    lou_own = await new_phone()
    await lou_own.make_card(**LOU)
    await dana_types_lou(new_phone, name="Lou (Dana's)")
    laptop = await new_phone()
    signed = await signs_in(laptop, mail, app)
    assert signed.headers["location"] == laptop.url("sign_in_merge") + "?notice=signed_in"
    guest, account = await pool.fetchrow(
        "SELECT (SELECT account_id FROM cards WHERE name = 'Lou (Dana''s)'),"
        " (SELECT account_id FROM cards WHERE name = 'Lou Park')"
    )
    return laptop, guest, account


async def test_signing_in_with_a_guests_email_lands_in_that_guest_account(
    new_phone, pool, mail, app
):
    dana = await dana_types_lou(new_phone)
    assert await pool.fetchval(
        "SELECT guest FROM accounts a JOIN cards c ON c.account_id = a.id WHERE c.name = 'Lou Park'"
    )
    lou = await new_phone()
    signed = await signs_in(lou, mail, app)
    assert signed.status_code == 303
    assert signed.headers["location"] == lou.url("contacts") + "?notice=signed_in"
    assert "Dana Lee" in text_of(await lou.get(lou.url("contacts")))
    assert "Lou Park" in text_of(await lou.get(lou.url("card")))
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE guest") == 0, "claimed"
    # His to correct: Dana sees the card as he saves it.
    await lou.make_card(name="Lou Park-Ng", email="lou@example.com", headline="Chef")
    assert "Lou Park-Ng" in text_of(await dana.get(dana.url("contacts")))
    # And to delete: the code sign-in proved it is him just now; later, as it confirmed his
    # address, a code to it confirms again.
    page = text_of(await lou.get(lou.url("delete_account")))
    assert "It's you: confirmed." in page
    await pool.execute("UPDATE sessions SET fresh_sign_in_at = now() - interval '1 hour'")
    page = text_of(await lou.get(lou.url("delete_account")))
    assert "Email me a code" in page and "lou@example.com" in page


async def test_a_guest_card_with_my_address_is_offered_to_merge(new_phone, pool, mail, app):
    lou_own = await new_phone()
    await lou_own.make_card(**LOU, headline="Chef at Noma")
    dana = await dana_types_lou(new_phone, name="Lou from the bakery")
    laptop = await new_phone()
    signed = await signs_in(laptop, mail, app)
    assert signed.headers["location"] == laptop.url("sign_in_merge") + "?notice=signed_in"
    offer = await laptop.get(signed.headers["location"])
    assert soup(offer).h1.get_text(strip=True) == "A card someone typed for you"
    assert "Dana Lee typed your details on their phone" in text_of(offer)
    assert "Lou from the bakery" in text_of(offer)
    merged = await laptop.post(laptop.url("sign_in_merge_choose"), {"choice": "merge"})
    assert merged.status_code == 303
    assert merged.headers["location"] == laptop.url("contacts") + "?notice=merged"
    # Dana now has Lou's own card; Lou has Dana; the guest account is gone.
    dana_sees = text_of(await dana.get(dana.url("contacts")))
    assert "Chef at Noma" in dana_sees and "Lou from the bakery" not in dana_sees
    assert "Dana Lee" in text_of(await lou_own.get(lou_own.url("contacts")))
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 2


async def test_a_guest_card_can_be_deleted_and_each_one_is_offered(new_phone, pool, mail, app):
    lou_own = await new_phone()
    await lou_own.make_card(**LOU)
    dana = await dana_types_lou(new_phone, name="Lou (Dana's)")
    sam = await new_phone()
    await sam.make_card(name="Sam Roe", email="sam@example.com")
    await sam.post(sam.url("tap_guest"), {**LOU, "name": "Lou (Sam's)"})
    laptop = await new_phone()
    signed = await signs_in(laptop, mail, app)
    first = text_of(await laptop.get(signed.headers["location"]))
    assert "Lou (Dana's)" in first, "the oldest first"
    deleted = await laptop.post(laptop.url("sign_in_merge_choose"), {"choice": "delete"})
    assert deleted.headers["location"] == laptop.url("sign_in_merge") + "?notice=guest_deleted"
    assert "Lou" not in text_of(await dana.get(dana.url("contacts")))
    second = text_of(await laptop.get(deleted.headers["location"]))
    assert "Lou (Sam's)" in second and "Sam Roe typed your details" in second
    later = await laptop.post(laptop.url("sign_in_merge_choose"), {"choice": "apart"})
    assert later.headers["location"] == laptop.url("contacts") + "?notice=not_now"
    assert "Lou (Sam's)" in text_of(await sam.get(sam.url("contacts"))), "nothing changed"
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE guest") == 1


async def test_deleting_is_only_for_guest_cards(new_phone, pool, mail, app):
    """A browser's earlier account offered for merging is never deleted by a forged choice."""
    installed = await new_phone()
    await installed.make_card(name="Dana in the app", email="")
    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email="mia@example.com")
    link = await installed.share_link()
    await mia.post(link + "/swap")  # the app's account has a contact: it is offered
    dana = await new_phone()
    await dana.make_card()
    await signs_in(installed, mail, app, "dana@example.com")
    forged = await installed.post(installed.url("sign_in_merge_choose"), {"choice": "delete"})
    # Kept apart, and said as it is: nothing but this browser opened that card (no email).
    assert forged.headers["location"] == installed.url("contacts") + "?notice=kept_apart_closed"
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 3


async def test_the_you_met_email_works_after_the_guest_card_is_merged(new_phone, pool, mail, app):
    """Dana typed Lou in and he got "You met Dana Lee"; then he merged that guest card into
    his own. The email's "Remind me tomorrow" is his, and still works (it said "This link no
    longer works": the email went with the guest account)."""
    lou_own = await new_phone()
    await lou_own.make_card(**LOU)
    await dana_types_lou(new_phone)
    laptop = await new_phone()
    await signs_in(laptop, mail, app)  # sends what was queued: the "You met" too
    [met] = [m for m in mail.received_for("lou@example.com") if m.subject == "You met Dana Lee"]
    merged = await laptop.post(laptop.url("sign_in_merge_choose"), {"choice": "merge"})
    assert merged.headers["location"] == laptop.url("contacts") + "?notice=merged"

    # His address is confirmed now (the code) and reminders go there: the link says when.
    page = await laptop.get(link_in(met, "/m/confirm/"))
    assert page.status_code == 200
    assert soup(page).h1.get_text() == "You will be reminded"
    assert "We will email lou@example.com" in text_of(page)
    assert "to follow up with Dana Lee." in text_of(page)


async def test_the_guest_cards_offered_next_carry_the_address_proven_not_the_cards_address(
    new_phone, pool, mail, app
):
    """Mallory proves her own address; while the offer of a guest card with it is open, she
    puts Lou's address on her card. Deleting that guest card offers nothing more: not the
    card Dana typed for Lou (it would say who met Lou, and merging would take it over)."""
    dana = await dana_types_lou(new_phone)
    sam = await new_phone()
    await sam.make_card(name="Sam Roe", email="sam@example.com")
    await sam.post(sam.url("tap_guest"), {"name": "Mal", "email": "mallory@example.com"})
    mallory = await new_phone()
    await mallory.make_card(name="Mallory", email="mallory@example.com")
    laptop = await new_phone()
    signed = await signs_in(laptop, mail, app, "mallory@example.com")
    assert signed.headers["location"] == laptop.url("sign_in_merge") + "?notice=signed_in"
    assert "Sam Roe typed your details" in text_of(await laptop.get(laptop.url("sign_in_merge")))
    await laptop.make_card(name="Mallory", email=LOU["email"])
    gone = await laptop.post(laptop.url("sign_in_merge_choose"), {"choice": "delete"})
    assert gone.headers["location"] == laptop.url("contacts") + "?notice=guest_deleted"
    offered = await laptop.get(laptop.url("sign_in_merge"))
    assert offered.status_code == 303 and offered.headers["location"] == laptop.url("contacts")
    merged = await laptop.post(laptop.url("sign_in_merge_choose"), {"choice": "merge"})
    assert merged.status_code == 404
    assert "Lou Park" in text_of(await dana.get(dana.url("contacts"))), "Dana's Lou is his"
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE guest") == 1
