"""An email's button pressed while the account it was sent for is being merged into another:
the press holds what it writes in the merge's order (the follow-up "Remind me tomorrow" sets,
then the account, then the card), so the two never wait in a circle. Before, the press held
the card and waited for the account the merge held, which then waited for the card: one of
the two was a deadlock's victim, now and then the merge (an error for the person merging),
or the press twice (a 503 for a button pressed once; review r77).

The merge here looks for a deadlock at once when it waits (deadlock_timeout 1 ms), so that
a circle, if there were one, would stop the merge, and fail the test, every time."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import asyncpg
import httpx

from tests.mailing import leaves_details, link_in, sent_once

CONFIRMATIONS = "SELECT address, account_id FROM address_confirmations ORDER BY address"


async def waiting_on_lock(pool: asyncpg.Pool) -> int:
    return int(
        await pool.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            " AND datname = current_database()"
        )
    )


async def merged_while_pressed(
    pool: asyncpg.Pool,
    press: Callable[[], Coroutine[Any, Any, httpx.Response]],
    source: int,
    target: int,
) -> httpx.Response:
    """The merge takes its locks (lock_merge), the button is pressed and waits, the merge
    goes on (merge_accounts) and commits; a failure of the merge fails the test. The press's
    answer."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL deadlock_timeout = '1ms'")
        await conn.execute("SELECT lock_merge($1, $2)", source, target)
        pressing = asyncio.create_task(press())
        for _ in range(200):
            if await waiting_on_lock(pool):
                break
            await asyncio.sleep(0.02)
        assert await waiting_on_lock(pool), "the press waits for the merge"
        await conn.execute("SELECT merge_accounts($1, $2)", source, target)
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE id = $1", source) == 0
    return await pressing


async def test_remind_me_tomorrow_pressed_while_merging_lets_both_through(
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
    assert (await reader.get(link)).status_code == 200
    answer = await merged_while_pressed(pool, lambda: reader.post(link, {}), source, target)
    assert answer.status_code == 303, (answer.status_code, answer.text[:300])
    page = await reader.get(answer.headers["location"])
    assert "Your follow-up with Dana Lee is due tomorrow" in page.text
    due = await pool.fetch(
        "SELECT ct.owner_id, f.round FROM followups f JOIN contacts ct ON ct.id = f.contact_id"
        " JOIN cards them ON them.account_id = ct.contact_id AND them.name = 'Dana Lee'"
        " WHERE f.status = 'open' AND f.due_at > now()"
    )
    assert [tuple(row) for row in due] == [(target, 1)]


async def test_confirm_my_address_pressed_while_merging_confirms_it_for_the_kept_account(
    new_phone: Any, pool: asyncpg.Pool, mail: Any, app: Any
) -> None:
    dana = await new_phone()
    await dana.make_card(email="dana@example.com")
    asked = await dana.post(dana.url("settings_email_confirm"), {})
    assert asked.status_code == 303, asked.text
    link = link_in(await sent_once(app, mail), "/m/confirm/")
    source = await pool.fetchval("SELECT account_id FROM cards WHERE email = 'dana@example.com'")
    # Her other card, the one kept, carries the same address.
    laptop = await new_phone()
    await laptop.make_card(email="dana@example.com")
    target = await pool.fetchval(
        "SELECT account_id FROM cards WHERE email = 'dana@example.com' AND account_id <> $1",
        source,
    )
    reader = await new_phone()
    assert (await reader.get(link)).status_code == 200
    answer = await merged_while_pressed(pool, lambda: reader.post(link, {}), source, target)
    assert answer.status_code in (200, 303), (answer.status_code, answer.text[:300])
    assert [tuple(row) for row in await pool.fetch(CONFIRMATIONS)] == [("dana@example.com", target)]
