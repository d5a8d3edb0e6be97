"""An email's button ("Remind me tomorrow", "Confirm my address") pressed while the account
it was sent for is being merged into another, or deleted: the press locks the card, then the
account; the merge and the deletion go the other way (the account, then the card), and one
of the two was a deadlock's victim, the press answered 503 "Back in a moment" (review r77).
Now the press waits for the other and acts as it left things: the reminder set for the
account a merge kept, or the link's 410 for an account deleted."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import httpx

from tests.mailing import leaves_details, link_in, sent_once

# A step of the merge or deletion, run on its connection.
Then = Callable[[Any], Awaitable[Any]]


async def waiting_on_lock(pool: asyncpg.Pool) -> int:
    return int(
        await pool.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            " AND datname = current_database()"
        )
    )


async def pressed_meanwhile(
    pool: asyncpg.Pool, press: Callable[[], Awaitable[httpx.Response]], first: Then, then: Then
) -> httpx.Response:
    """``press`` while a transaction that ran ``first`` holds its locks, then ``then`` in it,
    which commits (a failure of either fails the test): the press's answer."""
    conn = await pool.acquire()
    try:
        async with conn.transaction():
            # The press, waiting first, finds the deadlock and is its victim (each waiter
            # looks once it has waited this long): this one would otherwise be, now and then.
            await conn.execute("SET LOCAL deadlock_timeout = '30s'")
            await first(conn)
            pressing = asyncio.create_task(press())
            for _ in range(200):
                if await waiting_on_lock(pool):
                    break
                await asyncio.sleep(0.02)
            assert await waiting_on_lock(pool), "the press waits for the account"
            await then(conn)
    finally:
        await pool.release(conn)
    return await pressing


async def test_remind_me_tomorrow_pressed_while_merging_sets_it_on_the_merged_account(
    new_phone: Any, pool: asyncpg.Pool, mail: Any, app: Any
) -> None:
    await leaves_details(new_phone)
    link = link_in(await sent_once(app, mail), "/m/confirm/")
    source = await pool.fetchval("SELECT account_id FROM cards WHERE email = 'mia@example.com'")
    laptop = await new_phone()
    await laptop.make_card(name="Mia Chen", email="mia.chen@example.com")
    target = await pool.fetchval(
        "SELECT account_id FROM cards WHERE email = 'mia.chen@example.com'"
    )
    reader = await new_phone()
    # The page read first, then the merge starts (its locks: lock_merge), and the button is
    # pressed; the merge goes on, and commits.
    assert (await reader.get(link)).status_code == 200
    answer = await pressed_meanwhile(
        pool,
        lambda: reader.post(link, {}),
        lambda conn: conn.execute("SELECT lock_merge($1, $2)", source, target),
        lambda conn: conn.execute("SELECT merge_accounts($1, $2)", source, target),
    )
    assert answer.status_code == 303, (answer.status_code, answer.text[:300])
    page = await reader.get(answer.headers["location"])
    assert page.status_code == 200
    assert "Your follow-up with Dana Lee is due tomorrow" in page.text
    # The follow-up is Mia's laptop account's now, due tomorrow (round 1: set by the press).
    due = await pool.fetch(
        "SELECT ct.owner_id, f.round FROM followups f JOIN contacts ct ON ct.id = f.contact_id"
        " JOIN cards them ON them.account_id = ct.contact_id AND them.name = 'Dana Lee'"
        " WHERE f.status = 'open' AND f.due_at > now()"
    )
    assert [tuple(row) for row in due] == [(target, 1)]


async def test_remind_me_tomorrow_pressed_while_the_account_is_deleted_says_it_is_gone(
    new_phone: Any, pool: asyncpg.Pool, mail: Any, app: Any
) -> None:
    await leaves_details(new_phone)
    link = link_in(await sent_once(app, mail), "/m/confirm/")
    source = await pool.fetchval("SELECT account_id FROM cards WHERE email = 'mia@example.com'")
    reader = await new_phone()
    assert (await reader.get(link)).status_code == 200
    # The deletion's DELETE locks the account row first, then its cascade reaches the card.
    answer = await pressed_meanwhile(
        pool,
        lambda: reader.post(link, {}),
        lambda conn: conn.execute("SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE", source),
        lambda conn: conn.execute("SELECT delete_account($1)", source),
    )
    assert answer.status_code == 410, (answer.status_code, answer.text[:300])
    assert "was deleted from Reachout" in answer.text
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE id = $1", source) == 0
