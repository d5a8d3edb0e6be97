"""An email's button ("Remind me tomorrow", "Confirm my address") pressed while the account
it was sent for is being merged into another, or deleted (review r77). The press holds what
it writes in the merge's order (lock_merge() in sql/logic.sql): the follow-up "Remind me
tomorrow" sets, or the pressing browser's own session that "Confirm my address" renews there,
then the account, then the card. Before, the press held the card and waited for the account
the merge held, which then waited for the card: one of the two was a deadlock's victim, now
and then the merge (an error for the person merging), or the press twice (503 "Back in a
moment" for a button pressed once). Now the press waits for the other and acts as it left
things: the reminder set, or the address confirmed, for the account a merge kept; the link's
410 for an account deleted.

A merge here looks for a deadlock at once when it waits (deadlock_timeout 1 ms), so that a
circle, if there were one, would stop the merge, and fail the test, every time. Deleting an
account holds what the press holds first, in its order, whoever deletes it (delete_account()
in sql/logic.sql; r79: tests/privacy/test_delete_while_pressing.py). A caller holding the
account row itself before delete_account() holds the rest would not: the last test deletes
so, and waits long before it looks (30 s), so that the press, waiting first, is the victim,
and tries again."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import httpx

from tests.mailing import leaves_details, link_in, sent_once
from tests.signin.test_confirming_offers_a_typed_card import confirmation_link
from tests.signin.test_guests import LOU, dana_types_lou
from tests.waiting import eventually, until_waiting_for_lock

CONFIRMATIONS = "SELECT address, account_id FROM address_confirmations ORDER BY address"

# A step of the merge or deletion, run on its connection.
Then = Callable[[Any], Awaitable[Any]]


async def blocked_by(pool: asyncpg.Pool, pid: int) -> bool:
    """Whether some transaction waits for a lock the backend ``pid`` holds."""
    return bool(
        await pool.fetchval(
            "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid)))",
            pid,
        )
    )


async def until(said: str, condition: Callable[[], Awaitable[bool]]) -> None:
    """Until ``condition`` holds (tests/privacy/test_delete_while_pressing.py waits with it;
    a lock waited for: tests.waiting.until_waiting_for_lock)."""
    for _ in range(250):
        if await condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(said)


async def done_or_blocked(pressing: asyncio.Task[Any], pool: asyncpg.Pool, pid: int) -> bool:
    """Whether the press answered, or waits for a lock the backend ``pid`` holds."""
    return pressing.done() or await blocked_by(pool, pid)


async def pressed_meanwhile(
    pool: asyncpg.Pool,
    press: Callable[[], Awaitable[httpx.Response]],
    first: Then,
    then: Then,
    *,
    deadlock_timeout: str,
) -> httpx.Response:
    """``press`` while a transaction that ran ``first`` holds its locks, then ``then`` in it,
    which commits (a failure of either fails the test): the press's answer. The transaction
    looks for a deadlock once it has waited ``deadlock_timeout``."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT set_config('deadlock_timeout', $1, true)", deadlock_timeout)
        await first(conn)
        pressing = asyncio.create_task(press())
        await until_waiting_for_lock(
            pool, "the press waiting for the other", held_by=conn.get_server_pid()
        )
        await then(conn)
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
        deadlock_timeout="1ms",
    )
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE id = $1", source) == 0
    assert answer.status_code == 303, (answer.status_code, answer.text[:300])
    page = await reader.get(answer.headers["location"])
    assert page.status_code == 200
    # "tomorrow", or "this morning" in the small hours: the next 09:00 either way.
    assert re.search("Your follow-up with Dana Lee is due (tomorrow|this morning)", page.text)
    # The follow-up is Mia's laptop account's now, due tomorrow (round 1: set by the press).
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
    answer = await pressed_meanwhile(
        pool,
        lambda: reader.post(link, {}),
        lambda conn: conn.execute("SELECT lock_merge($1, $2)", source, target),
        lambda conn: conn.execute("SELECT merge_accounts($1, $2)", source, target),
        deadlock_timeout="1ms",
    )
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE id = $1", source) == 0
    assert answer.status_code in (200, 303), (answer.status_code, answer.text[:300])
    assert [tuple(row) for row in await pool.fetch(CONFIRMATIONS)] == [("dana@example.com", target)]


async def test_confirm_my_address_pressed_in_her_own_browser_while_merging_lets_both_through(
    new_phone: Any, pool: asyncpg.Pool, mail: Any, app: Any
) -> None:
    """Pressed in the browser signed in to the account, "Confirm my address" renews that
    browser's session to offer the card Dana typed for Lou (sessions.renew_offering_guest); a
    merge holds the account's sessions (step 3a of lock_merge) before the account. Brought to
    where each would wait for the other, had the press taken the session after the account:
    the press holds what it takes first and waits for her card (an edit of it saving), while
    the merge runs lock_merge up to her second confirmation, which the mail worker holds a
    moment. Her card is let go, then the email."""
    await dana_types_lou(new_phone)
    lou = await new_phone()
    await lou.make_card(**LOU)
    link = await confirmation_link(lou, mail, app)
    again = await lou.post(lou.url("settings_email_confirm"), {})  # asked twice: one waits
    assert again.status_code == 303, again.text
    source = await pool.fetchval(
        "SELECT c.account_id FROM cards c JOIN accounts a ON a.id = c.account_id"
        " WHERE c.email = $1 AND NOT a.guest",
        LOU["email"],
    )
    laptop = await new_phone()
    await laptop.make_card(name=LOU["name"], email="lou.park@example.com")
    target = await pool.fetchval(
        "SELECT account_id FROM cards WHERE email = 'lou.park@example.com'"
    )
    assert (await lou.get(link)).status_code == 200
    async with pool.acquire() as merging, merging.transaction():
        await merging.execute("SET LOCAL deadlock_timeout = '1ms'")
        async with pool.acquire() as sending, sending.transaction():
            held = await sending.fetch(
                "SELECT id FROM emails WHERE account_id = $1 AND status = 'queued' FOR UPDATE",
                source,
            )
            assert len(held) == 1
            async with pool.acquire() as editing, editing.transaction():
                await editing.execute(
                    "SELECT 1 FROM cards WHERE account_id = $1 FOR UPDATE", source
                )
                pressing = asyncio.create_task(lou.post(link, {}))
                await until_waiting_for_lock(
                    pool, "the press waiting for her card", held_by=editing.get_server_pid()
                )
                locking = asyncio.create_task(
                    merging.execute("SELECT lock_merge($1, $2)", source, target)
                )
                await until_waiting_for_lock(
                    pool, "the merge waiting", pid=merging.get_server_pid()
                )
            # Her card let go: the press is done, or waits for what the merge holds.
            await eventually(
                lambda: done_or_blocked(pressing, pool, merging.get_server_pid()),
                "the press going on",
            )
        await locking
        await merging.execute("SELECT merge_accounts($1, $2)", source, target)
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE id = $1", source) == 0
    # The press went first (the merge waited for her session): confirmed, and the typed
    # card offered here, as without a merge; the merge then took it all to her laptop's.
    answer = await pressing
    assert answer.status_code == 303, (answer.status_code, answer.text[:300])
    assert answer.headers["location"] == lou.url("sign_in_merge") + "?notice=address_confirmed"
    assert [tuple(row) for row in await pool.fetch(CONFIRMATIONS)] == [(LOU["email"], target)]


async def test_remind_me_tomorrow_pressed_while_the_account_is_deleted_says_it_is_gone(
    new_phone: Any, pool: asyncpg.Pool, mail: Any, app: Any
) -> None:
    await leaves_details(new_phone)
    link = link_in(await sent_once(app, mail), "/m/confirm/")
    source = await pool.fetchval("SELECT account_id FROM cards WHERE email = 'mia@example.com'")
    reader = await new_phone()
    assert (await reader.get(link)).status_code == 200
    # The account row held first, then delete_account() holds the follow-up the press holds:
    # the press is the victim, and its second try finds the account gone.
    answer = await pressed_meanwhile(
        pool,
        lambda: reader.post(link, {}),
        lambda conn: conn.execute("SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE", source),
        lambda conn: conn.execute("SELECT delete_account($1)", source),
        deadlock_timeout="30s",
    )
    assert answer.status_code == 410, (answer.status_code, answer.text[:300])
    assert "was deleted from Reachout" in answer.text
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE id = $1", source) == 0
