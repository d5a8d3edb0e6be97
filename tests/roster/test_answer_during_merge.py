"""Ana answers Ben's request to connect at the moment Ben merges the card that asked into his
other account (review r83). The answer reads who asked, holds that pair (lock_pair, both
accounts: answering.decide) and then answers the request; while it waited for Ben's card,
which the merge holds, the merge moved the request to the account it kept (merge_accounts()
in sql/logic.sql). Answered there, the Accept or "Decline and block" went on with an
account it held nothing of: a block by that account at the same moment, which holds the
pair and then wants the request, waited for the answer while the answer waited for the
pair, in a circle (a 503), and a block was made between Ana and an account she never
answered. Now the answer is only for the asker it read and held (requests.decide): a request
moved meanwhile reads as gone, "That request is not waiting for you." (404), nothing written,
and it waits on her Requests from the card Ben kept, to answer again.

The merge is brought to the point where it holds the card merged away (its account, the
request moved) by holding that card a moment, as keeping a rendered page of it does
(card_pages.keep). Every connection looks for a deadlock 1 ms into a wait, so that a circle,
if there were one, would stop whichever closes it, every time.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from server.contacts import blocks
from tests.phone import Phone, soup, text_of
from tests.roster.test_answer_during_delete import GONE, HOLD_HIS_CARD, asked
from tests.roster.test_routes import story
from tests.signin.test_moving import show_code
from tests.waiting import eventually, until_waiting_for_lock

ANA, BEN = 2, 3  # account ids in story(): the organizer is 1


async def ben_offered_to_merge(new_phone: Any, pool: asyncpg.Pool, ben: Phone) -> int:
    """Ben's other account ("Benjamin Ode"), which his phone signs in to with its code: the
    card that asked is offered to merge into it. Its account id."""
    kept = await new_phone()
    await kept.make_card(name="Benjamin Ode", email="benjamin@example.com")
    signed = await ben.post(ben.url("move_enter_submit"), {"code": await show_code(kept)})
    assert signed.status_code == 303 and "/sign-in/merge" in signed.headers["location"]
    return int(await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Benjamin Ode'"))


def merging(ben: Phone) -> asyncio.Task[Any]:
    return asyncio.create_task(ben.post(ben.url("sign_in_merge_choose"), {"choice": "merge"}))


async def merged(ben: Phone, pool: asyncpg.Pool, answer: Any) -> None:
    assert answer.status_code == 303, (answer.status_code, text_of(answer)[:300])
    assert "Merged." in text_of(await ben.get(answer.headers["location"]))
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE id = $1", BEN) == 0


def buttons_of(page: Any) -> list[str]:
    return [b.get("aria-label", b.get_text()) for b in soup(page).select("#request-list button")]


@pytest.mark.usefixtures("deadlocks_seen_at_once")
@pytest.mark.parametrize("decision", ["accept", "block"])
async def test_answering_ben_while_he_merges_the_card_that_asked_says_it_is_gone(
    new_phone: Any, pool: asyncpg.Pool, decision: str
) -> None:
    event_id, ana, ben = await story(new_phone, pool)
    answer = await asked(ana, ben, event_id, decision)
    kept = await ben_offered_to_merge(new_phone, pool, ben)
    async with pool.acquire() as keeping, keeping.transaction():
        await keeping.execute(HOLD_HIS_CARD, BEN)
        # The merge holds the card's account, has moved the request, and waits for the card.
        merge = merging(ben)
        await until_waiting_for_lock(pool, "the merge waiting", held_by=keeping.get_server_pid())
        # Ana presses the button on the page shown before: it waits for the merge.
        answering = asyncio.create_task(ana.post(answer))
        await until_waiting_for_lock(pool, "the answer waiting too", count=2)
    await merged(ben, pool, await merge)
    said = await answering
    assert said.status_code == 404, (said.status_code, text_of(said)[:300])
    assert GONE in text_of(said)
    # Nothing was answered, connected or blocked for her: the request waits for her answer,
    # from the account Ben kept, and she answers it there.
    assert await pool.fetchval("SELECT count(*) FROM contacts") == 0
    assert await pool.fetchval("SELECT count(*) FROM blocks") == 0
    waiting = await pool.fetchrow("SELECT from_id, to_id, status FROM connect_requests")
    assert dict(waiting) == {"from_id": kept, "to_id": ANA, "status": "pending"}
    inbox = await ana.get(ana.url("requests"))
    assert "Accept Benjamin Ode" in buttons_of(inbox)
    assert "Ben Ode" not in text_of(inbox)


@pytest.mark.usefixtures("deadlocks_seen_at_once")
@pytest.mark.parametrize("decision", ["accept", "block"])
async def test_answering_ben_while_he_merges_and_blocks_her_does_both(
    new_phone: Any, pool: asyncpg.Pool, app: Any, decision: str
) -> None:
    """Ben, signed in to the account he keeps, blocks Ana as the merge ends: the block holds
    the pair first (lock_pair) and then ends the request; the answer, which read the card
    merged away, neither waits for the block nor answers the request moved."""
    event_id, ana, ben = await story(new_phone, pool)
    answer = await asked(ana, ben, event_id, decision)
    kept = await ben_offered_to_merge(new_phone, pool, ben)
    sql = app.state.sql
    async with pool.acquire() as blocking, blocking.transaction():
        async with pool.acquire() as keeping, keeping.transaction():
            await keeping.execute(HOLD_HIS_CARD, BEN)
            merge = merging(ben)
            await until_waiting_for_lock(
                pool, "the merge waiting", held_by=keeping.get_server_pid()
            )
            answering = asyncio.create_task(ana.post(answer))
            await until_waiting_for_lock(pool, "the answer waiting too", count=2)
            # His block of her is under way: the pair held, as blocks.block takes it first.
            await sql.run(blocking, "contacts.lock_pair", account_id=kept, other_id=ANA)
        await merged(ben, pool, await merge)

        async def answered_or_waiting() -> bool:
            waits = await pool.fetch(
                "SELECT pid FROM pg_stat_activity"
                " WHERE wait_event_type = 'Lock' AND $1 = ANY(pg_blocking_pids(pid))",
                blocking.get_server_pid(),
            )
            return answering.done() or bool(waits)

        await eventually(answered_or_waiting, "the answer done, or waiting for the block")
        assert await blocks.block(blocking, sql, kept, ANA)
    said = await answering
    assert said.status_code == 404, (said.status_code, text_of(said)[:300])
    assert GONE in text_of(said)
    assert [tuple(r) for r in await pool.fetch("SELECT blocker_id, blocked_id FROM blocks")] == [
        (kept, ANA)
    ]
    assert await pool.fetchval("SELECT count(*) FROM contacts") == 0
    # The block withdrew his request: nothing is left to answer.
    assert await pool.fetchval("SELECT count(*) FROM connect_requests") == 0
    assert buttons_of(await ana.get(ana.url("requests"))) == []
