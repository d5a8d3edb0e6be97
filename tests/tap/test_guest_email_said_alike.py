"""Typing a guest's address tells nothing of it: a confirmed address gets 30 "You met" a
day and another one, so "we emailed them" or "we couldn't" for a second try would tell anyone
typing an address whether it has a Reachout account. The notice is the same either way."""

from __future__ import annotations

from tests.events.test_routes import PLAIN
from tests.phone import Phone, soup


async def confirmed_account(new_phone, pool, name: str, address: str) -> None:
    phone = await new_phone()
    await phone.make_card(**PLAIN, name=name, email=address)
    account_id = await pool.fetchval("SELECT account_id FROM cards WHERE name = $1", name)
    await pool.execute(
        "INSERT INTO email_addresses (address, confirmed_at) VALUES ($1, now())"
        " ON CONFLICT (address) DO UPDATE SET confirmed_at = now()",
        address,
    )
    await pool.execute(
        "INSERT INTO address_confirmations (address, account_id) VALUES ($1, $2)",
        address,
        account_id,
    )


async def typed(phone: Phone, address: str) -> tuple[str, str]:
    """The notice after typing a guest with ``address``: its key in the link, and its words."""
    made = await phone.post(phone.url("tap_guest"), {"name": "Lou Park", "email": address})
    assert made.status_code == 303, made.text
    page = soup(await phone.get(made.headers["location"]))
    [said] = [n.get_text(" ", strip=True) for n in page.select(".notice") if "Lou Park" in n.text]
    return made.headers["location"].rsplit("notice=", 1)[1], said


async def test_a_confirmed_address_and_another_are_told_alike(new_phone, pool):
    await confirmed_account(new_phone, pool, "Vic Tim", "vic@example.com")
    probers = []
    for name, email in (("Pro Ber", "pro@example.com"), ("Pro Two", "two@example.com")):
        probers.append(await new_phone())
        await probers[-1].make_card(**PLAIN, name=name, email=email)
    prober = probers[0]
    # Each address typed on two phones: one card typing it again finds the guest it typed.
    confirmed = [await typed(p, "vic@example.com") for p in probers]
    unknown = [await typed(p, "nobody@example.com") for p in probers]
    unsubscribed = "gone@example.com"
    await pool.execute(
        "INSERT INTO email_addresses (address, unsubscribed_at) VALUES ($1, now())", unsubscribed
    )
    stopped = await typed(prober, unsubscribed)
    assert confirmed == unknown == [stopped] * 2
    # What we do, with its condition, alike either way: the exceptions are on Privacy.
    assert (
        "We'll email them your card if we can: we limit how many emails an address gets each"
        " day. Reach out to them yourself too." in stopped[1]
    )
    # Meanwhile the mail rule: an unconfirmed address gets one a day, whoever types it; the
    # confirmed one one a day from each card (tests/mail/test_met_once_a_day_per_card.py).
    sent = await pool.fetch(
        "SELECT to_address, count(*) FROM emails WHERE kind = 'met' GROUP BY 1 ORDER BY 1"
    )
    assert [tuple(row) for row in sent] == [("nobody@example.com", 1), ("vic@example.com", 2)]
