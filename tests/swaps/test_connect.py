"""connect(): both contact rows and a follow-up each, once, however often or concurrently."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from server.swaps.connect import connect
from tests.events.test_routes import organizer_with_event


async def two_accounts(new_phone, pool) -> tuple[int, int]:
    for name in ("Dana Lee", "Mia Chen"):
        await (await new_phone()).make_card(name=name)
    dana, mia = await pool.fetchval(
        "SELECT array_agg(account_id ORDER BY name) FROM cards"
        " WHERE name IN ('Dana Lee', 'Mia Chen')"
    )
    return dana, mia


async def rows(pool) -> list[tuple]:
    return [
        tuple(r)
        for r in await pool.fetch(
            "SELECT c.owner_id, c.contact_id, c.event_id, count(f.*)"
            " FROM contacts c LEFT JOIN followups f ON f.contact_id = c.id"
            " GROUP BY c.id ORDER BY c.owner_id"
        )
    ]


async def test_connect_makes_both_rows_and_a_follow_up_each(app, pool, new_phone):
    dana, mia = await two_accounts(new_phone, pool)
    contact_id = await connect(pool, app.state.sql, dana, mia)
    row = await pool.fetchrow("SELECT owner_id, contact_id FROM contacts WHERE id = $1", contact_id)
    assert tuple(row) == (dana, mia)
    assert await rows(pool) == [(dana, mia, None, 1), (mia, dana, None, 1)]
    owners = await pool.fetch("SELECT owner_id FROM followups ORDER BY owner_id")
    assert [r["owner_id"] for r in owners] == [dana, mia]


async def test_connect_is_idempotent_from_either_side(app, pool, new_phone):
    dana, mia = await two_accounts(new_phone, pool)
    first = await connect(pool, app.state.sql, dana, mia)
    assert await connect(pool, app.state.sql, dana, mia) == first
    mias = await connect(pool, app.state.sql, mia, dana)
    assert mias != first
    assert await connect(pool, app.state.sql, mia, dana) == mias
    assert await rows(pool) == [(dana, mia, None, 1), (mia, dana, None, 1)]


async def test_concurrent_connects_agree_on_one_row(app, pool, new_phone):
    dana, mia = await two_accounts(new_phone, pool)
    results = await asyncio.gather(*(connect(pool, app.state.sql, dana, mia) for _ in range(4)))
    assert len(set(results)) == 1
    assert await rows(pool) == [(dana, mia, None, 1), (mia, dana, None, 1)]


async def test_concurrent_connects_from_both_sides_make_two_rows_only(app, pool, new_phone):
    dana, mia = await two_accounts(new_phone, pool)
    results = await asyncio.gather(
        connect(pool, app.state.sql, dana, mia), connect(pool, app.state.sql, mia, dana)
    )
    assert results[0] != results[1]
    assert await rows(pool) == [(dana, mia, None, 1), (mia, dana, None, 1)]


async def test_an_event_id_tags_both_rows_and_met_at_is_kept(app, pool, new_phone):
    _, event_id = await organizer_with_event(new_phone)
    dana, mia = await two_accounts(new_phone, pool)
    met_at = datetime.now(UTC) - timedelta(hours=2)
    await connect(pool, app.state.sql, dana, mia, event_id=event_id, met_at=met_at)
    assert await rows(pool) == [(dana, mia, event_id, 1), (mia, dana, event_id, 1)]
    stored = await pool.fetch("SELECT met_at FROM contacts")
    assert {r["met_at"] for r in stored} == {met_at}


async def test_two_phones_swapping_with_each_other_at_once_never_deadlock(app, pool):
    # Dana scans Mia's code while Mia scans Dana's, many times over: each side must wait
    # for the other, never hold the row the other needs.
    pairs = []
    for _ in range(25):
        a, b = [
            await pool.fetchval("INSERT INTO accounts (time_zone) VALUES ('UTC') RETURNING id")
            for _ in range(2)
        ]
        pairs.append((a, b))
    results = await asyncio.gather(
        *(connect(pool, app.state.sql, a, b) for a, b in pairs),
        *(connect(pool, app.state.sql, b, a) for a, b in pairs),
    )
    assert len(set(results)) == 2 * len(pairs)
    assert await pool.fetchval("SELECT count(*) FROM contacts") == 2 * len(pairs)
    assert await pool.fetchval("SELECT count(*) FROM followups") == 2 * len(pairs)
