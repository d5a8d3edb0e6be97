"""A sign-in code leaves ahead of a backlog of "You met": a flood of them (tens a second from
one network) no longer holds every code back until it expires, so people can still sign in
(and confirm a delete or merge) while it lasts. Mail someone waits for goes in lanes: codes,
then confirmations, then other waited-for mail, then the rest (migration 0058)."""

from __future__ import annotations

import asyncio
import re

from tests.mailing import running_mail_worker
from tests.phone import text_of
from tests.signin.test_routes import ask_code

FLOOD = 2000
CODE_SUBJECT = re.compile(r"Your Reachout code: (\d{8})")


async def flood_of_you_met(pool, count: int = FLOOD) -> None:
    """``count`` "You met Sam Ortiz", each to someone else, queued a minute ago: a backlog
    the mail worker has not worked through yet."""
    sam = await pool.fetchval("INSERT INTO accounts DEFAULT VALUES RETURNING id")
    await pool.execute(
        "INSERT INTO cards (account_id, name, email) VALUES ($1, 'Sam Ortiz', 'sam@example.org')",
        sam,
    )
    await pool.execute(
        """WITH people AS (
               INSERT INTO accounts SELECT FROM generate_series(1, $1) RETURNING id
           ), addresses AS (
               INSERT INTO email_addresses (address)
               SELECT 'flood' || id || '@example.net' FROM people RETURNING address
           )
           INSERT INTO emails (kind, account_id, to_address, about_id, waited_for,
                               created_at, next_attempt_at)
           SELECT 'met', p.id, a.address, $2, true, now() - interval '1 minute',
                  now() - interval '1 minute'
           FROM people p JOIN addresses a ON a.address = 'flood' || p.id || '@example.net'
           ORDER BY p.id""",
        count,
        sam,
    )


async def test_a_sign_in_code_leaves_ahead_of_a_flood_of_you_met(new_phone, pool, mail, app):
    dana = await new_phone()
    await dana.make_card()
    await flood_of_you_met(pool)
    laptop = await new_phone()
    asked = await ask_code(laptop, "dana@example.com")
    said = "If dana@example.com is on a card or confirmed for one, we sent it a code"
    assert said in text_of(asked)

    # The real worker, two sends at a time, stopped once its first message is accepted.
    stop = asyncio.Event()
    async with running_mail_worker(app, mail, connections=2) as worker:
        sending = asyncio.create_task(worker.run_once(stop))
        await mail.wait_for(1)
        stop.set()
        await sending
    first = [message.subject for message in mail.received[:2]]
    codes = [found.group(1) for s in first if (found := CODE_SUBJECT.match(s))]
    assert codes, f"the code waits behind the flood: the first sent were {first}"
    [code] = codes

    signed = await laptop.post(
        laptop.url("sign_in_code"), {"email": "dana@example.com", "code": code}
    )
    assert signed.status_code == 303
    assert "Signed in." in text_of(await laptop.get(signed.headers["location"]))
    # The flood is still there, sent in its turn: held back, not dropped.
    queued = "SELECT count(*) FROM emails WHERE kind = 'met' AND status = 'queued'"
    assert await pool.fetchval(queued) >= FLOOD - len(mail.received)


async def test_waited_for_mail_goes_in_lanes_codes_first(new_phone, pool, mail, app):
    """Queued in the opposite order: claimed codes first (first come, first served between
    them), then a confirmation, then "You met" someone waits for, and last one held for a
    waking hour, which nobody waits for."""
    dana = await new_phone()
    await dana.make_card()
    await flood_of_you_met(pool, 2)
    sam = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Sam Ortiz'")
    dana_id = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Dana Lee'")
    unwaited, waited = [row["id"] for row in await pool.fetch("SELECT id FROM emails ORDER BY id")]
    await pool.execute(
        "UPDATE emails SET waited_for = false, next_attempt_at = now() - interval '11 minutes'"
        " WHERE id = $1",
        unwaited,
    )
    await pool.execute(
        "UPDATE emails SET next_attempt_at = now() - interval '10 minutes' WHERE id = $1", waited
    )
    await pool.execute("INSERT INTO email_addresses (address) VALUES ('dana@example.com')")
    await pool.execute(
        """INSERT INTO emails (kind, account_id, to_address, about_id, code, waited_for,
                               created_at, next_attempt_at)
           SELECT kind, $1, 'dana@example.com', $2, code, true, at, at
           FROM (VALUES ('confirm', NULL, now() - interval '4 minutes'),
                        ('code', '33334444', now() - interval '3 minutes'),
                        ('delete_code', '11112222', now() - interval '2 minutes'))
                AS queued (kind, code, at)""",
        dana_id,
        sam,
    )
    # One at a time: which rows a claim takes is what the lanes decide (a batch's rows come
    # back in no order, and are sent at once).
    async with running_mail_worker(app, mail) as worker:
        claimed = [row for _ in range(5) for row in await worker.leases.claim(1)]
    assert [row["kind"] for row in claimed] == ["code", "delete_code", "confirm", "met", "met"]
    assert [row["id"] for row in claimed[3:]] == [waited, unwaited]
