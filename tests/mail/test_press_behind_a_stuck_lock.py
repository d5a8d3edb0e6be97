"""An email's button pressed while a stuck transaction holds what the press writes (here her
card): the press waits for a lock only so long (PRESS_LOCK_TIMEOUT), then says "Back in a
moment" (503), nothing done, rather than wait for good, holding a pool connection all the
while. Pressed again once the other lets go, it works."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from server.mail import routes
from tests.mailing import link_in, pressed, sent_once
from tests.phone import text_of


async def test_confirm_my_address_behind_a_stuck_transaction_says_back_in_a_moment(
    new_phone: Any, pool: asyncpg.Pool, mail: Any, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Short here, so that the test does not wait the 5 s a press waits.
    monkeypatch.setattr(routes, "PRESS_LOCK_TIMEOUT", "100ms")
    dana = await new_phone()
    await dana.make_card(email="dana@example.com")
    asked = await dana.post(dana.url("settings_email_confirm"), {})
    assert asked.status_code == 303, asked.text
    link = link_in(await sent_once(app, mail), "/m/confirm/")
    reader = await new_phone()
    assert "Confirm my address" in (await reader.get(link)).text
    async with pool.acquire() as stuck, stuck.transaction():
        await stuck.execute("SELECT 1 FROM cards WHERE email = 'dana@example.com' FOR UPDATE")
        # Bounded, so that a press waiting for good fails the test rather than hang it.
        answer = await asyncio.wait_for(reader.post(link, {}), 30)
    assert answer.status_code == 503, (answer.status_code, answer.text[:300])
    said = text_of(answer)
    assert "Back in a moment" in said
    # The database answered: it was busy, not out of reach.
    assert "Reachout is busy with this just now." in said
    assert "can't reach our database" not in said
    assert "Nothing you did was lost: please try again in a moment." in said
    assert await pool.fetch("SELECT * FROM address_confirmations") == []
    assert "Confirm my address" in (await reader.get(link)).text
    # Let go: the same button works.
    done = await pressed(reader, link)
    assert "Your address is confirmed" in text_of(done)
    assert await pool.fetchval("SELECT count(*) FROM address_confirmations") == 1
