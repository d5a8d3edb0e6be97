"""Lou's details were typed on Dana's phone (a guest card with his address); later he makes
his own card with the same address and confirms it. Confirming proves the address is his, as
an email code does when signing in: the typed card is offered to merge in or delete, before a
year of retention deletes it with Dana's note."""

from __future__ import annotations

from tests.mailing import link_in, running_mail_worker
from tests.phone import Phone, soup, text_of
from tests.signin.test_guests import LOU, dana_types_lou, signs_in


async def confirmation_link(lou: Phone, mail, app) -> str:  # type: ignore[no-untyped-def]
    """Settings' "Send me a confirmation", and the link of its button."""
    asked = await lou.post(lou.url("settings_email_confirm"), {})
    assert asked.status_code == 303, text_of(asked)
    mail.received.clear()
    async with running_mail_worker(app, mail) as worker:
        await worker.run_once()
    [sent] = [m for m in mail.received if m.subject == "Confirm your address for Reachout"]
    assert sent.recipients == ("lou@example.com",)
    return link_in(sent, "/m/confirm/")


async def test_confirming_my_address_here_offers_the_card_dana_typed(new_phone, pool, mail, app):
    dana = await dana_types_lou(new_phone)
    lou = await new_phone()
    await lou.make_card(**LOU, headline="Chef")
    link = await confirmation_link(lou, mail, app)
    confirmed = await lou.post(link, {})
    assert confirmed.status_code == 303
    assert confirmed.headers["location"] == lou.url("sign_in_merge") + "?notice=address_confirmed"
    offer = await lou.get(confirmed.headers["location"])
    # What the button did is said first, then what is offered.
    assert "Address confirmed. A code to it signs you in on any phone" in text_of(offer)
    assert soup(offer).h1.get_text(strip=True) == "A card someone typed for you"
    assert "Dana Lee typed your details on their phone" in text_of(offer)
    # Confirmed all the same, and still signed in here (one session, not two).
    assert await pool.fetchval("SELECT count(*) FROM address_confirmations") == 1
    assert (
        await pool.fetchval(
            "SELECT count(*) FROM sessions WHERE account_id = 3 AND revoked_at IS NULL"
        )
        == 1
    )
    deleted = await lou.post(lou.url("sign_in_merge_choose"), {"choice": "delete"})
    assert deleted.headers["location"] == lou.url("contacts") + "?notice=guest_deleted"
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE guest") == 0
    assert "Lou Park" not in text_of(await dana.get(dana.url("contacts")))
    assert "Chef" in text_of(await lou.get(lou.url("card")))


async def test_confirming_in_another_browser_says_how_and_signing_in_offers_it(
    new_phone, pool, mail, app
):
    await dana_types_lou(new_phone)
    lou = await new_phone()
    await lou.make_card(**LOU, headline="Chef")
    link = await confirmation_link(lou, mail, app)
    # The mail app opens the link in a browser that is not signed in to Lou's card.
    elsewhere = await new_phone()
    answer = await elsewhere.post(link, {})
    assert answer.status_code == 303
    assert answer.headers["location"].startswith(link.split("?")[0] + "?")
    page = text_of(await elsewhere.get(answer.headers["location"]))
    assert "Your address is confirmed" in page
    assert "Someone typed your details into Reachout on their phone" in page
    assert "sign in to Reachout with lou@example.com" in page
    # As it says: signing in with the address (here on his phone, signed in already).
    signed = await signs_in(lou, mail, app)
    assert signed.headers["location"] == lou.url("sign_in_merge") + "?notice=signed_in"
    assert "Dana Lee typed your details" in text_of(await lou.get(lou.url("sign_in_merge")))


async def test_confirming_with_no_typed_card_offers_nothing(new_phone, pool, mail, app):
    lou = await new_phone()
    await lou.make_card(**LOU)
    link = await confirmation_link(lou, mail, app)
    confirmed = await lou.post(link, {})
    assert confirmed.headers["location"].startswith(link.split("?")[0] + "?")
    page = text_of(await lou.get(confirmed.headers["location"]))
    assert "Your address is confirmed" in page and "typed" not in page
    assert await pool.fetchval("SELECT count(*) FROM sessions WHERE revoked_at IS NULL") == 1
