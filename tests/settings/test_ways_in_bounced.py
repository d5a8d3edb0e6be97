"""An address whose mail bounced is no way in (accounts.ways_in), as it is no way of proof
(proving.Ways.reachable): a code to it may never arrive. A card whose only way in is such an
address is warned about by Settings' "Sign out of this device", signing out asks "anyway",
and keeping it apart says it may be lost: a code still goes there, and may arrive, so the words
say "may", where a card with no address at all is lost for sure (tests/signin/test_last_way_in).
An unsubscribed address still is a way in: codes ignore unsubscribing."""

from __future__ import annotations

from tests.mailing import confirm_addresses
from tests.phone import soup, text_of
from tests.signin.test_guests import signs_in
from tests.signin.test_last_way_in import NOBODY, ONLY_WAY, STILL_YOURS

MAY_BE_ONLY = "This device may be the only way into your card."
MAY_NOT_OPEN = (
    "You may not be able to open your card again: our mail to its address bounced, so a"
    " sign-in code may never reach it"
)

OLD = "dana@old-job.example"


async def bounced(pool, address: str) -> None:  # type: ignore[no-untyped-def]
    """Our last email to ``address`` was refused for good (mail.mark_bounced)."""
    await pool.execute(
        "INSERT INTO email_addresses (address, bounced_at, bounce_reason)"
        " VALUES ($1, now(), '550 no such user') ON CONFLICT (address)"
        " DO UPDATE SET bounced_at = now(), bounce_reason = excluded.bounce_reason",
        address,
    )


async def _only_in_this_browser(new_phone, pool, *, confirmed: bool):  # type: ignore[no-untyped-def]
    """Dana's card, opened only in this browser, no passkey; her one address bounces."""
    dana = await new_phone()
    await dana.make_card(email=OLD)
    if confirmed:
        await confirm_addresses(pool, OLD)
    await bounced(pool, OLD)
    return dana


async def test_a_confirmed_address_that_bounced_leaves_this_browser_the_only_way_in(
    new_phone, pool
):
    dana = await _only_in_this_browser(new_phone, pool, confirmed=True)
    page = await dana.get(dana.url("settings"))
    warning = soup(page).select_one("#only-way-in")
    assert warning is not None, text_of(page)
    said = warning.get_text(" ", strip=True)
    assert MAY_BE_ONLY in said and ONLY_WAY not in said
    asked = soup(page).select_one("details#sign-out")
    assert asked.select_one("button[type=submit]").get_text(strip=True) == "Sign out anyway"
    # Its address is confirmed: Settings does not say codes to it need confirming.
    assert soup(page).select_one("#email-code-off") is None

    out = await dana.post(dana.url("sign_out"), {})
    assert out.status_code == 303
    assert out.headers["location"] == dana.url("settings") + "?notice=only_way_in#sign-out"
    assert await pool.fetchval("SELECT count(*) FROM sessions WHERE revoked_at IS NULL") == 1
    gone = await dana.post(dana.url("sign_out"), {"anyway": "1"})
    assert gone.status_code == 200
    assert MAY_NOT_OPEN in text_of(gone)
    assert NOBODY not in text_of(gone) and STILL_YOURS not in text_of(gone)


async def test_an_unconfirmed_address_on_the_card_is_counted_whatever_its_bounces(new_phone, pool):
    """One merely typed on the card may be someone else's, whose bounces the card is never
    told (tests/export/test_confirmed_addresses.py): it counts as a way in (a code still goes),
    so no warning tells of it; only an address confirmed for the account is judged by them."""
    dana = await _only_in_this_browser(new_phone, pool, confirmed=False)
    page = text_of(await dana.get(dana.url("settings")))
    assert MAY_BE_ONLY not in page and ONLY_WAY not in page
    out = await dana.post(dana.url("sign_out"), {})
    assert out.status_code == 200 and STILL_YOURS in text_of(out)


async def test_an_unsubscribed_address_still_is_a_way_in(new_phone, pool):
    dana = await new_phone()
    await dana.make_card(email=OLD)
    await confirm_addresses(pool, OLD)
    await pool.execute("UPDATE email_addresses SET unsubscribed_at = now()")
    assert soup(await dana.get(dana.url("settings"))).select_one("#only-way-in") is None
    out = await dana.post(dana.url("sign_out"), {})
    assert out.status_code == 200 and STILL_YOURS in text_of(out)


async def test_keeping_apart_a_card_whose_only_address_bounced_says_it_is_lost(
    new_phone, pool, mail, app
):
    work = await new_phone()
    await work.make_card(name="Dana at work", email="dana.work@example.com")
    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email="mia@example.com")
    await mia.post((await work.share_link()) + "/swap")
    home = await new_phone()
    await home.make_card()
    await confirm_addresses(pool, "dana.work@example.com")
    await signs_in(work, mail, app, "dana@example.com")
    await bounced(pool, "dana.work@example.com")
    offer = await work.get(work.url("sign_in_merge"))
    said = soup(offer).select_one("#apart-closed")
    assert said is not None, text_of(offer)
    assert "you may not be able to open the card of Dana at work again" in said.get_text()
    assert "our mail to its address bounced" in said.get_text()
    kept = await work.post(work.url("sign_in_merge_choose"), {"choice": "apart"})
    assert kept.headers["location"] == work.url("contacts") + "?notice=kept_apart_bounced"
    told = text_of(await work.get(kept.headers["location"]))
    assert "You may not be able to open the other card again" in told
