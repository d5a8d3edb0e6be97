"""Bumps at two events on at once: a conference, and the evening meetup inside it that some of
its people joined too. Two people pair when they share any event they are at."""

from __future__ import annotations

import asyncio
import time

import asyncpg
from starlette.applications import Starlette

from server.tap import bumps
from tests.phone import Phone, soup, text_of
from tests.tap.test_routes import bump, connections, two_phones, until_bumps_in
from tests.waiting import until_waiting_for_lock


async def account_of(pool: asyncpg.Pool, name: str) -> int:
    return int(await pool.fetchval("SELECT account_id FROM cards WHERE name = $1", name))


async def event_on_now(pool: asyncpg.Pool, organizer: int, name: str, code: str) -> int:
    return int(
        await pool.fetchval(
            """INSERT INTO events (organizer_id, name, join_code, starts_at, ends_at, time_zone)
               VALUES ($1, $2, $3, now() - interval '3 hours', now() + interval '3 hours', 'UTC')
               RETURNING id""",
            organizer,
            name,
            code,
        )
    )


async def join(pool: asyncpg.Pool, event: int, name: str, minutes_ago: int) -> None:
    await pool.execute(
        """INSERT INTO event_attendees (event_id, account_id, joined_at)
           VALUES ($1, $2, now() - make_interval(mins => $3))""",
        event,
        await account_of(pool, name),
        minutes_ago,
    )


async def conference_and_meetup(new_phone, pool: asyncpg.Pool) -> tuple[Phone, Phone, Phone]:  # type: ignore[no-untyped-def]
    """Dana joined only the conference; Mia the conference, and later the evening meetup inside
    it (her current event now); Ed only the meetup."""
    dana, mia = await two_phones(new_phone)
    ed = await new_phone()
    await ed.make_card(name="Ed Park", email="ed@example.com")
    organizer = await account_of(pool, "Dana Lee")
    conference = await event_on_now(pool, organizer, "Robotics conference", "ABCDEF")
    meetup = await event_on_now(pool, organizer, "Evening meetup", "GHJKMN")
    await join(pool, conference, "Dana Lee", 120)
    await join(pool, conference, "Mia Chen", 120)
    await join(pool, meetup, "Mia Chen", 10)
    await join(pool, meetup, "Ed Park", 10)
    return dana, mia, ed


async def now_showing(phone: Phone, answer) -> dict:  # type: ignore[no-untyped-def]
    shown = await phone.get(
        phone.url("bump_status", bump_id=answer.json()["bump_id"]),
        headers={"accept": "application/json"},
    )
    assert shown.status_code == 200
    return dict(shown.json())


async def test_two_at_a_conference_pair_though_one_also_joined_its_evening_meetup(new_phone, pool):
    dana, mia, _ed = await conference_and_meetup(new_phone, pool)
    now = time.time() * 1000
    first, second = await asyncio.gather(bump(dana, now), bump(mia, now + 20))
    assert first.json()["state"] == second.json()["state"] == "paired"
    assert first.json()["partner_name"] == "Mia Chen"
    assert second.json()["partner_name"] == "Dana Lee"

    await dana.post(dana.url("bump_confirm", bump_id=first.json()["bump_id"]), htmx=True)
    done = await mia.post(mia.url("bump_confirm", bump_id=second.json()["bump_id"]), htmx=True)
    assert done.status_code == 204
    assert await connections(pool, "Dana Lee", "Mia Chen") == 2
    page = await mia.get(done.headers["HX-Redirect"])
    assert soup(page).h1.get_text(strip=True) == "Dana Lee"
    assert "Met at Robotics conference" in text_of(page), "tagged with the event both are at"


async def test_two_at_different_events_on_at_once_still_never_pair(new_phone, pool):
    dana, _mia, ed = await conference_and_meetup(new_phone, pool)
    now = time.time() * 1000
    answers = await asyncio.gather(bump(dana, now), bump(ed, now + 10))
    assert [answer.json()["state"] for answer in answers] == ["unmatched", "unmatched"]
    assert [answer.json()["partner_name"] for answer in answers] == [None, None]


async def test_one_bump_between_two_events_is_a_crowd_naming_nobody_of_the_other_event(
    new_phone, pool
):
    """Mia's bump is waiting when Dana's (conference) and Ed's (meetup) come in together, each
    alike hers: nobody pairs, and the pick lists name only people of an event one shares."""
    dana, mia, ed = await conference_and_meetup(new_phone, pool)
    now = time.time() * 1000
    mias = asyncio.create_task(bump(mia, now))
    await until_bumps_in(pool, 1, "Mia's bump waiting")
    danas, eds = await asyncio.gather(bump(dana, now + 10), bump(ed, now + 20))
    answers = [await now_showing(p, a) for p, a in ((dana, danas), (mia, await mias), (ed, eds))]
    assert [answer["state"] for answer in answers] == ["ambiguous"] * 3
    assert [answer["partner_name"] for answer in answers] == [None] * 3
    listed = [{choice["name"] for choice in answer["choices"]} for answer in answers]
    assert listed == [{"Mia Chen"}, {"Dana Lee", "Ed Park"}, {"Mia Chen"}]
    assert await pool.fetchval("SELECT count(*) FROM contacts") == 0


async def test_a_bump_waits_while_another_event_pairs_the_one_it_would_pair_with(
    new_phone, pool, app: Starlette
):
    """Mia's bump is in both events. While a pairing in the meetup holds it, Dana's bump in the
    conference waits for that to end instead of pairing with Mia past it."""
    dana, _mia, _ed = await conference_and_meetup(new_phone, pool)
    sql = app.state.sql
    now = time.time() * 1000
    mia_id, dana_id = await account_of(pool, "Mia Chen"), await account_of(pool, "Dana Lee")
    mias = await bumps.record(pool, sql, mia_id, now, 25.0)
    meetup = await pool.fetchval("SELECT id FROM events WHERE name = 'Evening meetup'")
    async with pool.acquire() as other, other.transaction():
        # The meetup's pairing lock, as a bump's pairing there holds it.
        await other.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended('bumps:' || $1::bigint, 0))", meetup
        )
        danas = asyncio.create_task(bumps.record(pool, sql, dana_id, now + 10, 25.0))
        await until_waiting_for_lock(
            pool, "Dana's bump waiting for the meetup's pairing", held_by=other.get_server_pid()
        )
        assert not danas.done()
        states = await pool.fetch("SELECT state FROM bumps WHERE id = $1", mias)
        assert [row["state"] for row in states] == ["waiting"]
    dana_bump = await asyncio.wait_for(danas, 5)
    rows = await pool.fetch("SELECT id, state, partner_id FROM bumps ORDER BY id")
    assert [tuple(row) for row in rows] == [
        (mias, "paired", dana_bump),
        (dana_bump, "paired", mias),
    ], "paired once, the first try undone"
    shown = await dana.get(
        dana.url("bump_status", bump_id=dana_bump), headers={"accept": "application/json"}
    )
    assert shown.json()["partner_name"] == "Mia Chen"


async def test_someone_at_a_thousand_events_of_their_own_still_bumps_and_pairs(new_phone, pool):
    """Anyone can make events; a bump takes a lock and writes a row per event its bumper is at,
    so only the eight joined last count (thousands filled PostgreSQL's lock table: a 500)."""
    dana, mia, _ed = await conference_and_meetup(new_phone, pool)
    dana_id = await account_of(pool, "Dana Lee")
    await pool.execute(
        """WITH made AS (
               INSERT INTO events (organizer_id, name, join_code, starts_at, ends_at, time_zone)
               SELECT $1, 'Mine ' || g,
                      'Z' || translate(to_char(g, 'FM00000'), '0123456789', 'ABCDEFGHJK'),
                      now() - interval '1 hour', now() + interval '1 hour', 'UTC'
               FROM generate_series(1, 1000) g RETURNING id)
           INSERT INTO event_attendees (event_id, account_id, joined_at)
           SELECT id, $1, now() - interval '3 hours' FROM made""",
        dana_id,
    )
    now = time.time() * 1000
    first, second = await asyncio.gather(bump(dana, now), bump(mia, now + 20))
    assert first.status_code == second.status_code == 200
    assert first.json()["state"] == second.json()["state"] == "paired"
    assert first.json()["partner_name"] == "Mia Chen"
    scopes = await pool.fetchval(
        "SELECT count(*) FROM bump_scopes WHERE bump_id = $1", first.json()["bump_id"]
    )
    assert scopes == 8
