"""Leaving details on a share link tells nothing of the address left: the page after says
the same of the "You met" email whether it went or not (a second one a day goes to an
address confirmed for an account, not to another: saying which told anyone whether an
address has a Reachout account)."""

from __future__ import annotations

from tests.phone import soup
from tests.swaps.test_flood import sharer
from tests.tap.test_guest_email_said_alike import confirmed_account


async def said_of_email(new_phone, link: str, address: str) -> str:
    """What the welcome page says of email to ``address``, with the address left out."""
    newcomer = await new_phone()
    left = await newcomer.post(link + "/details", {"name": "Mia Chen", "email": address})
    assert left.status_code == 303, left.text
    page = soup(await newcomer.get(left.headers["location"]))
    mailbox = address.lower()
    [said] = [p.get_text(" ", strip=True) for p in page.select("main p") if mailbox in p.get_text()]
    return said.replace(mailbox, "<address>")


async def test_the_welcome_page_says_the_same_of_a_confirmed_address_and_another(new_phone, pool):
    await confirmed_account(new_phone, pool, "Vic Tim", "vic@example.com")
    _dana, link = await sharer(new_phone)
    # Typed as anyone might: the page shows the address the same way whether it went or not.
    confirmed = [await said_of_email(new_phone, link, "Vic@example.com") for _ in range(2)]
    unknown = [await said_of_email(new_phone, link, "Mia@example.com") for _ in range(2)]
    assert confirmed == unknown == [confirmed[0]] * 2
    # What we do, with its condition, the same for both (the exceptions are on Privacy).
    assert confirmed[0] == (
        "Keep Dana Lee's card here, or save it to your phone. We'll also email a copy to"
        " <address> if we can: we limit how many emails an address gets each day."
    )
    # The rule itself: one to each, as one card emails an address at most once a day (another
    # card may email the confirmed one again: tests/mail/test_met_once_a_day_per_card.py).
    sent = await pool.fetch(
        "SELECT to_address, count(*) FROM emails WHERE kind = 'met' GROUP BY 1 ORDER BY 1"
    )
    assert [tuple(row) for row in sent] == [("mia@example.com", 1), ("vic@example.com", 1)]
