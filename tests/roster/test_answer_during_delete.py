"""Ana answers Ben's request to connect at the moment Ben deletes his account (review H7).
The deleting holds what its cascade reaches, then Ben's account (FOR UPDATE), and reaches
the request by its cascade (hold_to_delete() in sql/logic.sql); Accept and "Decline and
block" updated the request first, then wanted Ben's account (KEY SHARE: the new contact
rows keyed to it, or blocks.hold_both): each waited for the other, in a circle, and one of
the two failed as a deadlock's victim, with a 503 ("Reachout is busy with this just now").
Now the answer holds both accounts before the request (a block, the pair's follow-ups
before them, as blocks.block does; answering.decide): whichever comes first is waited for.
An answer after the deleting finds the request gone with Ben, and says so as it does when
he deleted his account before the press: "That request is not waiting for you."

Either may come first. The deleting is brought to the point where it holds Ben's account by
holding his card a moment, as keeping a rendered page of it does (card_pages.keep): its
cascade reaches the card before the request. Ana's answer, to the point where it is under
way, by holding her own account a moment, as removing a passkey on her other phone does
(proving.lock_ways): the accounts are asked for in id order, hers first (before, after the
request, which the deleting then waited for). Every connection looks for a deadlock 1 ms
into a wait, so that a circle, if there were one, would stop whichever closes it, every
time.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from tests.phone import soup, text_of
from tests.roster.test_routes import story
from tests.waiting import eventually, until_waiting_for_lock

ANA, BEN = 2, 3  # account ids in story(): the organizer is 1

# As keeping a rendered page of his card holds it (card_pages.keep).
HOLD_HIS_CARD = "SELECT 1 FROM cards WHERE account_id = $1 FOR SHARE"
# As removing a passkey holds the account whose ways of proof change (proving.lock_ways).
HOLD_HER_ACCOUNT = "SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE"
GONE = "That request is not waiting for you."
BUTTONS = {"accept": "Accept Ben Ode", "block": "Block Ben Ode", "decline": "Decline Ben Ode"}


async def asked(ana: Any, ben: Any, event_id: int, decision: str) -> str:
    """Ben asks Ana to connect; where her button for ``decision`` on Requests posts."""
    sent = await ben.post(ben.url("request_connect", event_id=event_id, account_id=ANA))
    assert sent.status_code == 303, text_of(sent)[:300]
    inbox = soup(await ana.get(ana.url("requests")))
    button = next(
        b
        for b in inbox.select("#request-list button")
        if b.get("aria-label", b.get_text()) == BUTTONS[decision]
    )
    return str(button.find_parent("form")["action"])


def deleting(ben: Any) -> asyncio.Task[Any]:
    return asyncio.create_task(ben.post(ben.url("delete_account_confirm"), {"confirm": "delete"}))


async def both_done(ana: Any, ben: Any, pool: asyncpg.Pool, gone: Any, answer: Any) -> None:
    """The deleting answered as it does alone; Ana's answer as one pressed after it: the
    request is not waiting for her. Nothing is left of Ben, nor between the two."""
    assert gone.status_code == 303, (gone.status_code, text_of(gone)[:300])
    assert gone.headers["location"] == ben.url("home") + "?notice=account_deleted"
    assert answer.status_code == 404, (answer.status_code, text_of(answer)[:300])
    assert GONE in text_of(answer)
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE id = $1", BEN) == 0
    assert "Ben Ode" not in text_of(await ana.get(ana.url("requests")))
    assert "Ben Ode" not in text_of(await ana.get(ana.url("contacts")))
    left = await pool.fetchrow(
        "SELECT (SELECT count(*) FROM connect_requests) AS requests,"
        " (SELECT count(*) FROM contacts) AS contacts,"
        " (SELECT count(*) FROM followups) AS followups, (SELECT count(*) FROM blocks) AS blocks"
    )
    assert dict(left) == {"requests": 0, "contacts": 0, "followups": 0, "blocks": 0}


@pytest.mark.usefixtures("deadlocks_seen_at_once")
@pytest.mark.parametrize("decision", ["accept", "block"])
async def test_answering_ben_while_he_deletes_his_account_says_the_request_is_gone(
    new_phone: Any, pool: asyncpg.Pool, decision: str
) -> None:
    event_id, ana, ben = await story(new_phone, pool)
    answer = await asked(ana, ben, event_id, decision)
    async with pool.acquire() as keeping, keeping.transaction():
        await keeping.execute(HOLD_HIS_CARD, BEN)
        # Ben's deleting holds his account, and waits for his card (its cascade reaches it).
        gone = deleting(ben)
        await until_waiting_for_lock(pool, "the deleting waiting", held_by=keeping.get_server_pid())
        # Ana presses the button on the page shown before: it waits for the deleting.
        answering = asyncio.create_task(ana.post(answer))
        await until_waiting_for_lock(pool, "the answer waiting too", count=2)
    await both_done(ana, ben, pool, await gone, await answering)


@pytest.mark.usefixtures("deadlocks_seen_at_once")
@pytest.mark.parametrize("decision", ["accept", "block"])
async def test_ben_deleting_his_account_while_ana_answers_him_does_both(
    new_phone: Any, pool: asyncpg.Pool, decision: str
) -> None:
    event_id, ana, ben = await story(new_phone, pool)
    answer = await asked(ana, ben, event_id, decision)
    async with pool.acquire() as proving, proving.transaction():
        await proving.execute(HOLD_HER_ACCOUNT, ANA)
        # Ana's answer is under way, and waits for her own account.
        answering = asyncio.create_task(ana.post(answer))
        [ana_pid] = await until_waiting_for_lock(
            pool, "the answer waiting", held_by=proving.get_server_pid()
        )
        # Ben deletes his account meanwhile: done at once (the answer holds nothing of his
        # yet), or waiting for the answer, never the answer for it as well.
        gone = deleting(ben)

        async def done_or_waiting() -> bool:
            waits = await pool.fetch(
                "SELECT pid FROM pg_stat_activity"
                " WHERE wait_event_type = 'Lock' AND $1 = ANY(pg_blocking_pids(pid))",
                ana_pid,
            )
            return gone.done() or bool(waits)

        await eventually(done_or_waiting, "the deleting done, or waiting for the answer")
    await both_done(ana, ben, pool, await gone, await answering)


@pytest.mark.usefixtures("deadlocks_seen_at_once")
async def test_declining_ben_while_he_deletes_his_account_is_said_at_once(
    new_phone: Any, pool: asyncpg.Pool
) -> None:
    """A plain Decline asks for neither account: it does not wait for Ben's deleting (which
    may take a while, with the guests he typed) and says "Declined" as it always does; the
    deleting then takes the request with everything else of his."""
    event_id, ana, ben = await story(new_phone, pool)
    answer = await asked(ana, ben, event_id, "decline")
    async with pool.acquire() as keeping, keeping.transaction():
        await keeping.execute(HOLD_HIS_CARD, BEN)
        gone = deleting(ben)
        await until_waiting_for_lock(pool, "the deleting waiting", held_by=keeping.get_server_pid())
        declining = asyncio.create_task(ana.post(answer))

        async def answered() -> bool:
            return declining.done()

        # While Ben's deleting is still held: had the Decline waited for it, never.
        await eventually(answered, "the Decline answered while Ben's deleting is under way")
    declined = await declining
    assert declined.status_code == 303, (declined.status_code, text_of(declined)[:300])
    assert declined.headers["location"] == ana.url("requests") + "?notice=declined"
    assert (await gone).headers["location"] == ben.url("home") + "?notice=account_deleted"
    assert await pool.fetchval("SELECT count(*) FROM connect_requests") == 0
    assert "Ben Ode" not in text_of(await ana.get(ana.url("requests")))
