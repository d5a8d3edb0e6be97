"""Backdating queued swaps, written as the attacks: a `made_at` from hours ago no longer revives
a dead six-digit code or share link, nor places a swap at a past event."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from server.cards import share_tokens
from server.swaps import sync
from server.tap import codes
from tests.conftest import TEST_SECRET
from tests.limit_counts import hits
from tests.swaps.test_sync import action, replay, token_of
from tests.tap.test_routes import code_of, connections, two_phones


def ms(moment: datetime) -> float:
    return moment.timestamp() * 1000


async def test_old_codes_replayed_with_their_old_moment_all_fail(new_phone, pool):
    dana, mia = await two_phones(new_phone)
    # Codes Dana was shown over the last two hours and never gave out (replaced, or ran out).
    old = [await code_of(dana, fresh=True) for _ in range(4)]
    await pool.execute(
        "UPDATE swap_codes SET created_at = now() - interval '2 hours',"
        " expires_at = now() - interval '110 minutes'"
    )
    back_then = ms(datetime.now(UTC) - timedelta(hours=2) + timedelta(minutes=1))
    answers = await asyncio.gather(
        *(replay(mia, action("code", {"code": code}, back_then)) for code in old)
    )
    assert [answer.status_code for answer in answers] == [404] * len(old)
    assert {answer.json()["message"] for answer in answers} == {codes.WRONG}
    assert await hits(pool, bucket="account-code-misses") == len(old)
    assert await connections(pool, "Dana Lee", "Mia Chen") == 0


async def test_a_code_typed_offline_minutes_ago_while_live_still_swaps(new_phone, pool):
    dana, mia = await two_phones(new_phone)
    code = await code_of(dana)
    await pool.execute(
        "UPDATE swap_codes SET created_at = now() - interval '14 minutes',"
        " expires_at = now() - interval '4 minutes'"
    )
    typed = ms(datetime.now(UTC) - timedelta(minutes=6))
    answer = await replay(mia, action("code", {"code": code}, typed))
    assert answer.json()["status"] == "done"
    assert await connections(pool, "Dana Lee", "Mia Chen") == 2


async def test_an_expired_share_link_backdated_stays_expired(new_phone, pool):
    _dana, mia = await two_phones(new_phone)
    account = await pool.fetchval("SELECT share_id FROM cards WHERE name = 'Dana Lee'")
    issued_at = datetime.now(UTC) - timedelta(days=3)
    # A screenshot of Dana's link posted three days ago: it expired an hour ago.
    token = share_tokens.issue(
        TEST_SECRET, account, 0, issued_at, datetime.now(UTC) - timedelta(hours=1) - issued_at
    )
    answer = await replay(mia, action("scan", {"token": token}, ms(issued_at)))
    assert answer.status_code == 410
    assert answer.json()["status"] == "failed"
    assert await connections(pool, "Dana Lee", "Mia Chen") == 0


async def test_a_backdated_scan_cannot_place_the_swap_at_a_past_event(new_phone, pool):
    dana, mia = await two_phones(new_phone)
    accounts = {
        row["name"]: row["account_id"]
        for row in await pool.fetch("SELECT name, account_id FROM cards")
    }
    event = await pool.fetchval(
        """INSERT INTO events (organizer_id, name, join_code, starts_at, ends_at, time_zone)
           VALUES ($1, 'Last week''s fair', 'ABCDEF', now() - interval '6 days',
                   now() - interval '5 days', 'UTC')
           RETURNING id""",
        accounts["Dana Lee"],
    )
    for account in accounts.values():
        await pool.execute(
            "INSERT INTO event_attendees (event_id, account_id) VALUES ($1, $2)", event, account
        )
    at_the_fair = datetime.now(UTC) - timedelta(days=5, hours=12)
    scan = action("scan", {"token": token_of(await dana.share_link())}, ms(at_the_fair))
    assert (await replay(mia, scan)).json()["status"] == "done"
    rows = await pool.fetch("SELECT event_id, met_at FROM contacts")
    assert len(rows) == 2
    assert all(row["event_id"] is None for row in rows), "nobody's contact says the fair"
    oldest = datetime.now(UTC) - sync.RECENT - timedelta(seconds=5)
    assert all(row["met_at"] >= oldest for row in rows)


async def test_the_other_side_s_event_is_where_they_are_now_not_the_sender_s_moment(
    new_phone, pool
):
    dana, mia = await two_phones(new_phone)
    dana_id = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Dana Lee'")
    # Dana's event ended just over its two hours' grace ago: a swap now is not "at" it.
    event = await pool.fetchval(
        """INSERT INTO events (organizer_id, name, join_code, starts_at, ends_at, time_zone)
           VALUES ($1, 'Morning fair', 'ABCDEF', now() - interval '5 hours',
                   now() - interval '2 hours 5 minutes', 'UTC')
           RETURNING id""",
        dana_id,
    )
    await pool.execute(
        "INSERT INTO event_attendees (event_id, account_id) VALUES ($1, $2)", event, dana_id
    )
    # Mia's phone says the scan was 8 minutes ago, when the fair was still in its grace.
    made = ms(datetime.now(UTC) - timedelta(minutes=8))
    scan = action("scan", {"token": token_of(await dana.share_link())}, made)
    assert (await replay(mia, scan)).json()["status"] == "done"
    tagged = await pool.fetchval("SELECT event_id FROM contacts WHERE owner_id = $1", dana_id)
    assert tagged is None, "Mia's clock does not place Dana's contact at Dana's event"
