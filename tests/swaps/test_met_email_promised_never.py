"""After a swap with someone who has no app, nothing promises a "You met" email a limit may
skip (an address whose "You met" from new cards is used up for the day, one that asked for
none): the welcome page and the Tap screen say what we do and when, the same whether it went
or not (saying which would tell anyone typing an address whether it has an account)."""

from __future__ import annotations

from tests.phone import Phone, soup
from tests.swaps.test_met_mail_from_new_cards import MET_TO_VIC, NEW_CARDS_A_DAY, VIC, card
from tests.tap.test_guest_email_said_alike import confirmed_account, typed

WELCOME = (
    "Keep {name}'s card here, or save it to your phone. We'll also email a copy to {address}"
    " if we can: we limit how many emails an address gets each day."
)
TAP = (
    "Saved! Lou Park is in your contacts. We'll email them your card if we can: we limit how"
    " many emails an address gets each day. Reach out to them yourself too."
)


async def said_of_email(new_phone, sharer: Phone, address: str) -> str:
    newcomer = await new_phone()
    left = await newcomer.post(
        await sharer.share_link() + "/details", {"name": "Vic Tim", "email": address}
    )
    assert left.status_code == 303, left.text
    page = soup(await newcomer.get(left.headers["location"]))
    [said] = [p.get_text(" ", strip=True) for p in page.select("main p") if address in p.text]
    return said


async def test_no_email_is_promised_that_a_limit_may_skip(new_phone, pool):
    await confirmed_account(new_phone, pool, "Vic Tim", VIC)
    for n in range(NEW_CARDS_A_DAY):
        mailed = await said_of_email(new_phone, await card(new_phone, f"Mallory {n}"), VIC)
        assert mailed == WELCOME.format(name=f"Mallory {n}", address=VIC)
    capped = await said_of_email(new_phone, await card(new_phone, "Mallory More"), VIC)
    assert await pool.fetchval(MET_TO_VIC, VIC) == NEW_CARDS_A_DAY, "the fourth was skipped"
    assert capped == WELCOME.format(name="Mallory More", address=VIC)
    assert "emailing" not in capped

    # Typed as a guest on two phones: once mailed (never confirmed: one a day), then skipped.
    # (One phone typing her again finds the guest it typed: tests/tap/test_guest_typed_twice.py.)
    dana = await card(new_phone, "Dana Lee", "dana@example.com")
    ed = await card(new_phone, "Ed Two", "ed@example.com")
    assert (await typed(dana, "lou@example.com"))[1] == TAP
    assert (await typed(ed, "lou@example.com"))[1] == TAP
    sent = "SELECT count(*) FROM emails WHERE kind = 'met' AND to_address = 'lou@example.com'"
    assert await pool.fetchval(sent) == 1
