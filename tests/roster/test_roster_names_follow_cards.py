"""An event's roster keeps up with its people's cards: renamed, made after joining, merged.

The roster is read in name order from the event's own rows, each keeping its card's name
key (migration 0080): a rename moves the person to their new place in "Everyone" and in a
search, a card made after its account joined is listed in its place, and a merge that moves
an attendance to the account kept lists that account by its own name. Each list is read
as the roster's pages are, "Show more" after "Show more".
"""

from __future__ import annotations

from typing import Any

import asyncpg

from server.events import events


async def person(pool: asyncpg.Pool, name: str) -> int:
    return await pool.fetchval(
        "WITH made AS (INSERT INTO accounts (time_zone) VALUES ('UTC') RETURNING id)"
        " INSERT INTO cards (account_id, name) SELECT id, $1 FROM made RETURNING account_id",
        name,
    )


async def account_alone(pool: asyncpg.Pool) -> int:
    return await pool.fetchval("INSERT INTO accounts (time_zone) VALUES ('UTC') RETURNING id")


async def meetup(pool: asyncpg.Pool, viewer: int, people: list[int]) -> int:
    event_id = await pool.fetchval(
        "INSERT INTO events (organizer_id, name, starts_at, ends_at, time_zone, join_code)"
        " VALUES ($1, 'Meetup', now() - interval '1 hour', now() + interval '1 hour',"
        " 'UTC', 'MTP234') RETURNING id",
        viewer,
    )
    await pool.execute(
        "INSERT INTO event_attendees (event_id, account_id)"
        " SELECT $1, a FROM unnest($2::bigint[]) a",
        event_id,
        [viewer, *people],
    )
    return event_id


async def roster(
    app: Any, pool: asyncpg.Pool, event_id: int, viewer: int, typed: str | None, lim: int = 51
) -> list[str]:
    """Every name the roster lists, page after page ("Show more")."""
    names: list[str] = []
    after = None
    while True:
        rows = await app.state.sql.run(
            pool,
            "events.roster",
            event_id=event_id,
            viewer_id=viewer,
            query=events.prefix_query(typed) if typed else None,
            after=after,
            limit=lim,
        )
        names += [row["name"] for row in rows]
        if len(rows) < lim:
            return names
        last = rows[-1]
        after = [str(last["tier"]), last["name_key"], str(last["account_id"])]


async def test_a_rename_moves_a_person_to_their_new_place(app, pool):
    viewer = await person(pool, "Vera Viewer")
    amy, bob, cy = [await person(pool, name) for name in ("Amy Ash", "Bob Birch", "Cy Cole")]
    event_id = await meetup(pool, viewer, [amy, bob, cy])
    assert await roster(app, pool, event_id, viewer, None) == ["Amy Ash", "Bob Birch", "Cy Cole"]

    await pool.execute("UPDATE cards SET name = 'Aaron Cole' WHERE account_id = $1", cy)
    assert await roster(app, pool, event_id, viewer, None, lim=1) == [
        "Aaron Cole",
        "Amy Ash",
        "Bob Birch",
    ]
    assert await roster(app, pool, event_id, viewer, "aar") == ["Aaron Cole"]
    assert await roster(app, pool, event_id, viewer, "cy") == []
    # Saving a card with its name unchanged keeps the place.
    await pool.execute("UPDATE cards SET name = name, headline = 'Chef' WHERE account_id = $1", amy)
    assert await roster(app, pool, event_id, viewer, "a", lim=2) == [
        "Aaron Cole",
        "Amy Ash",
    ]


async def test_a_card_made_after_joining_is_listed_in_its_place(app, pool):
    viewer = await person(pool, "Vera Viewer")
    bob = await person(pool, "Bob Birch")
    early = await account_alone(pool)
    event_id = await meetup(pool, viewer, [bob, early])
    # No card yet: nobody to list.
    assert await roster(app, pool, event_id, viewer, None) == ["Bob Birch"]

    await pool.execute("INSERT INTO cards (account_id, name) VALUES ($1, 'Abe Early')", early)
    assert await roster(app, pool, event_id, viewer, None, lim=1) == ["Abe Early", "Bob Birch"]
    assert await roster(app, pool, event_id, viewer, "abe") == ["Abe Early"]


async def test_a_merge_lists_the_account_kept_by_its_own_name(app, pool):
    viewer = await person(pool, "Vera Viewer")
    bob = await person(pool, "Bob Birch")
    # Her card at the event, merged into the account she keeps, whose card has another name.
    there = await person(pool, "Zoe Zed")
    kept = await person(pool, "Abby Zed")
    event_id = await meetup(pool, viewer, [bob, there])
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT lock_merge($1, $2)", there, kept)
        await conn.execute("SELECT merge_accounts($1, $2)", there, kept)
    assert await roster(app, pool, event_id, viewer, None, lim=1) == ["Abby Zed", "Bob Birch"]
    assert await roster(app, pool, event_id, viewer, "abb") == ["Abby Zed"]
    assert await roster(app, pool, event_id, viewer, "zoe") == []
