"""Guests typed in as a relay for "You met" spam: a script makes cards for nothing and types
a guest with someone else's address on each, as fast as it can. A card made for the purpose
gets ten guests emailed in its first hour, and one address a few hundred an hour, whatever
the accounts; a real person typing a guest or two notices nothing."""

from __future__ import annotations

from server.swaps import rates
from tests.mailing import confirm_addresses
from tests.phone import text_of
from tests.swaps.test_flood import used


def guest(n: int, email: str = "") -> dict[str, str]:
    return {"name": f"Friend {n}", "email": email or f"victim{n}@example.org"}


async def met_emails(pool) -> int:
    return await pool.fetchval("SELECT count(*) FROM emails WHERE kind = 'met'")


async def test_a_new_card_emails_its_first_ten_guests_and_says_why_not_the_eleventh(visitor, pool):
    spammer = await visitor("198.51.100.7")
    await spammer.make_card(name="CHEAP PILLS at spam.example", email="")
    first_hour = rates.GUESTS_EMAILED_BY_NEW_ACCOUNT.most
    for n in range(first_hour):
        saved = await spammer.post(spammer.url("tap_guest"), guest(n))
        assert saved.status_code == 303
    refused = await spammer.post(spammer.url("tap_guest"), guest(first_hour), htmx=True)
    assert refused.status_code == 429
    said = text_of(refused)
    assert "Your card is new, so we email only ten of the guests" in said
    assert "Save this one without their email" in said
    assert 0 < int(refused.headers["retry-after"]) <= 3600
    assert await met_emails(pool) == first_hour
    # Nothing was saved for the next: no guest is listed as being emailed when none was.
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE guest") == first_hour
    # Without an email nothing is sent, so nothing counts: saved as ever.
    plain = await spammer.post(
        spammer.url("tap_guest"), {"name": "Friend X", "email": "", "phone": "+1 415 555 0134"}
    )
    assert plain.status_code == 303
    assert await met_emails(pool) == first_hour


async def test_a_card_over_an_hour_old_or_confirmed_types_guests_as_before(
    new_phone, visitor, pool
):
    dana = await visitor("198.51.100.8")
    await dana.make_card(name="Dana Lee", email="dana@example.com")
    await pool.execute("UPDATE accounts SET created_at = now() - interval '61 minutes'")
    mia = await visitor("198.51.100.9")
    await mia.make_card(name="Mia Chen", email="mia@example.com")
    await confirm_addresses(pool, "mia@example.com")
    for n in range(8):
        assert (await dana.post(dana.url("tap_guest"), guest(n))).status_code == 303
        assert (await mia.post(mia.url("tap_guest"), guest(100 + n))).status_code == 303
    assert await met_emails(pool) == 16


async def test_one_address_types_a_few_hundred_guests_an_hour_whatever_the_accounts(visitor, pool):
    await used(pool, rates.GUESTS_PER_ADDRESS, "203.0.113.5", rates.GUESTS_PER_ADDRESS.most - 1)
    first = await visitor("203.0.113.5")
    await first.make_card(name="Bot One", email="")
    assert (await first.post(first.url("tap_guest"), guest(1))).status_code == 303
    # A fresh account from the same address: no fresh allowance.
    second = await visitor("203.0.113.5")
    await second.make_card(name="Bot Two", email="")
    refused = await second.post(second.url("tap_guest"), guest(2, "other@example.org"))
    assert refused.status_code == 429
    assert "Many guests were added from your network" in text_of(refused)
    assert await met_emails(pool) == 1
    # Another network is not held up by it.
    elsewhere = await visitor("203.0.113.99")
    await elsewhere.make_card(name="Real Person", email="")
    assert (await elsewhere.post(elsewhere.url("tap_guest"), guest(3))).status_code == 303
