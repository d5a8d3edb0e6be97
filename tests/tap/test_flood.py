"""Bumps as attacks: one account bumping at full speed, long-polls held open by the dozen,
a flood of bumps from elsewhere while two people bump for real, and a crowd's list of names
at an event that must not name who hid from its roster."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from server.tap import bumps
from server.tap import routes as tap_routes
from tests.limit_counts import hits
from tests.phone import Phone, text_of
from tests.tap.test_routes import bump, two_phones

Maker = Callable[..., Awaitable[Phone]]


@pytest.fixture
async def phone_at(app) -> AsyncIterator[Maker]:
    """A phone with a card, from an address of its own choosing."""
    clients: list[httpx.AsyncClient] = []

    async def make(address: str, name: str) -> Phone:
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=(address, 40000)),
            base_url="http://testserver",
        )
        clients.append(client)
        phone = Phone(client, app)
        await phone.make_card(name=name, email=f"{name.split()[0].lower()}@example.com")
        return phone

    yield make
    for client in clients:
        await client.aclose()


async def test_one_account_bumping_at_full_speed_stops_at_its_limit(new_phone, pool):
    dana, _mia = await two_phones(new_phone)
    now = time.time() * 1000
    answers = await asyncio.gather(*(bump(dana, now + n) for n in range(25)))
    codes = sorted(answer.status_code for answer in answers)
    assert codes == [200] * bumps.BUMPS_PER_ACCOUNT.most + [429] * 5
    assert await pool.fetchval("SELECT count(*) FROM bumps") == bumps.BUMPS_PER_ACCOUNT.most
    refused = next(a for a in answers if a.status_code == 429)
    assert "You bumped 20 times in a minute" in text_of(refused)
    assert int(refused.headers["retry-after"]) <= 60


async def test_a_flood_from_elsewhere_cannot_spoil_or_overhear_a_real_bump(phone_at, pool):
    dana = await phone_at("192.0.2.10", "Dana Lee")
    mia = await phone_at("192.0.2.77", "Mia Chen")  # the same café Wi-Fi (/24)
    flooders = [await phone_at(f"203.0.113.{n}", f"Bot{n} Moe") for n in range(6)]
    now = time.time() * 1000
    answers = await asyncio.gather(
        bump(dana, now),
        bump(mia, now + 10),
        *(bump(bot, now + 5 + n) for n, bot in enumerate(flooders)),
    )
    dana_answer, mia_answer, *bot_answers = (a.json() for a in answers)
    assert dana_answer["state"] == "paired" and dana_answer["partner_name"] == "Mia Chen"
    assert mia_answer["state"] == "paired" and mia_answer["partner_name"] == "Dana Lee"
    for bot, answer in zip(flooders, bot_answers, strict=True):
        # The bots are a crowd of their own: they hear of each other, never of Dana or Mia.
        # On a loaded machine a bot's bump can land after two others were announced as a
        # pair (as a slow network would make it); it retracts that pair, so once every bump
        # is in, each bot's phone sees the crowd.
        assert answer.get("partner_name") not in ("Dana Lee", "Mia Chen")
        assert {c["name"] for c in answer["choices"]}.isdisjoint({"Dana Lee", "Mia Chen"})
        now_seen = await bot.client.get(
            bot.url("bump_status", bump_id=answer["bump_id"]),
            headers={"accept": "application/json"},
        )
        assert now_seen.json()["state"] == "ambiguous"
        names = {c["name"] for c in now_seen.json()["choices"]}
        assert names and names.isdisjoint({"Dana Lee", "Mia Chen"})


async def test_outside_events_phones_on_different_networks_do_not_pair(phone_at):
    dana = await phone_at("192.0.2.10", "Dana Lee")
    stranger = await phone_at("198.51.100.20", "Sam Roe")
    now = time.time() * 1000
    answers = await asyncio.gather(bump(dana, now), bump(stranger, now + 5))
    assert [a.json()["state"] for a in answers] == ["unmatched", "unmatched"]


async def test_a_crowd_at_an_event_does_not_name_who_hid_from_its_roster(new_phone, pool):
    dana, mia = await two_phones(new_phone)
    sam = await new_phone()
    await sam.make_card(name="Sam Roe", email="sam@example.com")
    event = await pool.fetchval(
        """INSERT INTO events (organizer_id, name, join_code, starts_at, ends_at, time_zone)
           VALUES (1, 'Meetup', 'ABCDEF', now() - interval '1 hour', now() + interval '1 hour',
                   'UTC') RETURNING id"""
    )
    await pool.execute(
        "INSERT INTO event_attendees (event_id, account_id, listed)"
        " VALUES ($1, 1, true), ($1, 2, true), ($1, 3, false)",
        event,
    )
    now = time.time() * 1000
    phones = (dana, mia, sam)
    answers = await asyncio.gather(*(bump(p, now + 10 * n) for n, p in enumerate(phones)))
    # As each phone sees it once all three are in (on a busy machine, a pair may have been
    # announced before the third bump landed; it is retracted then).
    now_seen = [
        (
            await p.get(
                p.url("bump_status", bump_id=a.json()["bump_id"]),
                headers={"accept": "application/json"},
            )
        ).json()
        for p, a in zip(phones, answers, strict=True)
    ]
    assert [seen["state"] for seen in now_seen] == ["ambiguous"] * 3
    assert {c["name"] for c in now_seen[0]["choices"]} == {"Mia Chen"}
    assert {c["name"] for c in now_seen[2]["choices"]} == {"Dana Lee", "Mia Chen"}


async def test_long_polls_held_open_by_the_dozen_stop_at_five_and_do_not_poll(
    new_phone, pool, monkeypatch
):
    monkeypatch.setattr(tap_routes, "LONG_POLL_MS", 1500)
    reads = 0
    real_get = bumps.get

    async def counted_get(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal reads
        reads += 1
        return await real_get(*args, **kwargs)

    dana, _mia = await two_phones(new_phone)
    lone = (await bump(dana)).json()  # nobody bumped back: unmatched
    url = dana.url("bump_status", bump_id=lone["bump_id"]) + f"?seen={lone['seen']}"
    monkeypatch.setattr(bumps, "get", counted_get)
    started = time.monotonic()
    answers = await asyncio.gather(
        *(dana.get(url, headers={"accept": "application/json"}) for _ in range(12))
    )
    assert sorted(a.status_code for a in answers) == [200] * 5 + [429] * 7
    assert time.monotonic() - started >= 1.4
    # Each waiter read its bump when it came, once when it woke at the end, and for its
    # answer, and at most once more if the lone bump's own "unmatched" notification reached
    # the listener only after it began to wait (seen once on a busy machine); polling every
    # 0.5 s would be three more each.
    assert reads <= 12 + 5 * 3
    assert await hits(pool, bucket="%waits") == 0
    again = await dana.get(url, headers={"accept": "application/json"})
    assert again.status_code == 200
