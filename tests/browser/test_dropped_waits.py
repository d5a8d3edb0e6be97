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
from tests.phone import DEFAULT_CARD


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
            with pytest.raises(httpx.ReadTimeout):  # the page gave up: its connection closes
                await phone.get(waiting, timeout=0.5)

        await asyncio.sleep(0.5)
        answer = asyncio.create_task(phone.get(waiting))
        await asyncio.sleep(0.5)
        assert not answer.done()  # waiting, not refused
        await pool.execute("UPDATE bumps SET state = 'declined' WHERE id = $1;", bump["bump_id"])
        await pool.execute("SELECT pg_notify('bumps', $1::text)", str(bump["bump_id"]))
        answered = await answer
        assert answered.status_code == 200, answered.text
        assert answered.json()["state"] == "declined"
