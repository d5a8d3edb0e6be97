"""A wait the page dropped frees its place at once. Against the real server, not a browser:
only a real connection hangs up (the in-process client never does)."""

from __future__ import annotations

import asyncio
import time
from urllib.parse import quote

import asyncpg
import httpx
import pytest

from server.tap.bumps import WAITING_PER_ACCOUNT
from tests.limit_counts import hits
from tests.phone import DEFAULT_CARD
from tests.waiting import eventually


async def places_held(pool: asyncpg.Pool) -> int:
    return await hits(pool, bucket=WAITING_PER_ACCOUNT.bucket)


async def places_free(pool: asyncpg.Pool) -> bool:
    return await places_held(pool) == 0


async def test_waits_the_page_dropped_leave_room_for_the_next(
    live_server: str, pool: asyncpg.Pool
) -> None:
    # A page drops its wait for the other person's answer when its person bumps again or
    # closes the tab. More dropped waits than may wait at once, and the next still waits
    # and hears the answer (before, each held its place for 20 s: "Too many bumps waiting").
    async with httpx.AsyncClient(
        base_url=live_server,
        headers={"sec-fetch-site": "same-origin", "accept": "application/json"},
        timeout=10,
    ) as phone:
        assert (await phone.post("/card", data=DEFAULT_CARD)).status_code == 303
        bumped = await phone.post("/tap/bumps", data={"bumped_at": str(time.time() * 1000)})
        bump = bumped.json()
        assert bump["state"] == "unmatched"  # nobody bumped back: the page shows that
        waiting = f"/tap/bumps/{bump['bump_id']}?seen={quote(bump['seen'])}"

        for _ in range(WAITING_PER_ACCOUNT.most + 2):
            # No answer yet (a refusal too is held back 2 s): the page gives up and hangs up.
            with pytest.raises(httpx.TimeoutException):
                await phone.get(waiting, timeout=0.5)
            await eventually(lambda: places_free(pool), "the dropped wait's place given back")

        answer = asyncio.create_task(phone.get(waiting))
        await eventually(lambda: places_held(pool), "the next wait holding its place")
        await pool.execute("UPDATE bumps SET state = 'declined' WHERE id = $1", bump["bump_id"])
        await pool.execute("SELECT pg_notify('bumps', $1::text)", str(bump["bump_id"]))
        answered = await answer
        assert answered.status_code == 200, answered.text
        assert answered.json()["state"] == "declined"
        assert await places_held(pool) == 0
