"""Flooding through a share link, written as the attacks: a script posting details on one
card from many addresses at once, one address making cards on many links, an account swapping
or typing guests as fast as it can, and the same queued offline. Each limit lets exactly its
number through, however many arrive together."""

from __future__ import annotations

import asyncio
import json
import time

from server.swaps import rates
from server.web import limits
from tests.phone import Phone, text_of
from tests.swaps.test_sync import action, replay, token_of


async def used(pool, rule, key: object, count: int) -> None:
    """``count`` hits already counted, as if an hour of traffic came before."""
    await pool.execute(
        "INSERT INTO limit_slots (bucket, key, slot, hits) VALUES ($1, $2, limit_slot($4), $3)",
        rule.bucket,
        str(key),
        count,
        rule.span,
    )


async def sharer(new_phone, name: str = "Dana Lee") -> tuple[Phone, str]:
    phone = await new_phone()
    await phone.make_card(name=name, email=f"{name.split()[0].lower()}@example.com")
    return phone, await phone.share_link()


async def link_key(pool, account_id: int) -> str:
    """The key a link's limits count on: its card's share id and generation."""
    return await pool.fetchval(
        "SELECT share_id || ' ' || share_generation FROM cards WHERE account_id = $1", account_id
    )


def details(n: int) -> dict[str, str]:
    return {"name": f"Bot {n}", "email": f"bot{n}@example.com"}


async def test_new_cards_on_one_link_stop_at_its_limit_whatever_the_addresses(
    new_phone, visitor, pool
):
    _dana, link = await sharer(new_phone)
    await used(pool, rates.NEW_PER_LINK, await link_key(pool, 1), rates.NEW_PER_LINK.most - 3)
    bots = [await visitor(f"198.51.100.{n}") for n in range(10)]
    answers = await asyncio.gather(
        *(bot.post(link + "/details", details(n)) for n, bot in enumerate(bots))
    )
    assert sorted(a.status_code for a in answers) == [303] * 3 + [429] * 7
    assert await pool.fetchval("SELECT count(*) FROM contacts WHERE owner_id = 1") == 3
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 4
    refused = next(a for a in answers if a.status_code == 429)
    assert "Lots of people left their details on this card" in text_of(refused)
    assert 0 < int(refused.headers["retry-after"]) <= 3600
    assert "ro_session" not in refused.cookies


async def test_one_address_making_cards_on_many_links_stops_at_its_limit(new_phone, visitor, pool):
    links = [(await sharer(new_phone, f"Sharer{n} Lee"))[1] for n in range(3)]
    await used(pool, rates.NEW_PER_ADDRESS, "203.0.113.9", rates.NEW_PER_ADDRESS.most - 2)
    bots = [await visitor("203.0.113.9") for _ in range(6)]
    answers = await asyncio.gather(
        *(bot.post(links[n % 3] + "/details", details(n)) for n, bot in enumerate(bots))
    )
    assert sorted(a.status_code for a in answers) == [303] * 2 + [429] * 4
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 3 + 2
    # Another address, the same links: not affected.
    other = await visitor("203.0.113.10")
    assert (await other.post(links[0] + "/details", details(99))).status_code == 303


async def test_ipv6_neighbours_in_one_slash_64_share_the_address_limit(new_phone, visitor, pool):
    _dana, link = await sharer(new_phone)
    await used(pool, rates.NEW_PER_ADDRESS, "2001:db8:5:6::/64", rates.NEW_PER_ADDRESS.most)
    bot = await visitor("2001:db8:5:6:dead:beef::1")
    refused = await bot.post(link + "/details", details(1), htmx=True)
    assert refused.status_code == 429
    assert "Many new cards were made from your network" in text_of(refused)
    assert refused.headers["hx-retarget"] == "#flash"


async def test_an_account_swapping_by_link_at_full_speed_stops_at_its_limit(new_phone, pool):
    links = [(await sharer(new_phone, f"Sharer{n} Lee"))[1] for n in range(6)]
    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email="mia@example.com")
    await used(pool, rates.SWAPS_PER_ACCOUNT, 7, rates.SWAPS_PER_ACCOUNT.most - 2)
    answers = await asyncio.gather(*(mia.post(link + "/swap") for link in links))
    assert sorted(a.status_code for a in answers) == [303] * 2 + [429] * 4
    assert await pool.fetchval("SELECT count(*) FROM contacts WHERE owner_id = 7") == 2
    assert "You have swapped with 100 people" in text_of(
        next(a for a in answers if a.status_code == 429)
    )


async def test_guests_typed_at_full_speed_stop_at_twenty_an_hour(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    # A card over an hour old: a new one gets ten guests emailed (test_guest_mail_relay).
    await pool.execute("UPDATE accounts SET created_at = now() - interval '2 hours'")
    started = time.monotonic()
    answers = await asyncio.gather(
        *(dana.post(dana.url("tap_guest"), details(n)) for n in range(24))
    )
    assert sorted(a.status_code for a in answers) == [303] * 20 + [429] * 4
    # A refusal is held a moment: a script's loop slows down, at no cost to us.
    assert time.monotonic() - started >= limits.PAUSE_BEFORE_429
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE guest") == 20
    refused = next(a for a in answers if a.status_code == 429)
    assert "You have added 20 guests in the last hour" in text_of(refused)


async def test_queued_guests_and_scans_past_the_limit_wait_and_are_not_recorded(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    _ben, link = await sharer(new_phone, "Ben Ode")
    await used(pool, rates.GUESTS_PER_ACCOUNT, 1, rates.GUESTS_PER_ACCOUNT.most)
    await used(pool, rates.SWAPS_PER_LINK, await link_key(pool, 2), rates.SWAPS_PER_LINK.most)
    guest = await replay(dana, action("guest", details(1)))
    scan = await replay(dana, action("scan", {"token": token_of(link)}))
    for answer in (guest, scan):
        assert answer.status_code == 429, answer.text
        body = json.loads(answer.text)
        assert body["status"] == "retry" and body["retry_after"] > 0
        assert int(answer.headers["retry-after"]) == body["retry_after"]
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 2
    assert await pool.fetchval("SELECT count(*) FROM contacts") == 0
    # Not recorded: the same key sent again later is tried again, not answered from a record.
    assert await pool.fetchval("SELECT count(*) FROM synced_actions") == 0
