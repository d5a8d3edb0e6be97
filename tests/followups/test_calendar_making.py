"""The calendar file is made as an export is: off the event loop (another person's page is not
kept waiting while it is built), one of an account's at a time (a second at once is a readable
429), and gzipped at the exports' fast level."""

from __future__ import annotations

import asyncio
import time

import pytest

from server.export import making
from server.followups import calendar_file
from server.followups.routes import CALENDAR_REFUSALS
from tests.phone import text_of
from tests.reminders import swapped

BUILDING_SECONDS = 1.0


@pytest.fixture
def slow_build(monkeypatch):
    """A calendar that takes a second of CPU-bound work to build, as 500 long entries did."""
    real = calendar_file.build

    def build(*args, **kwargs):
        time.sleep(BUILDING_SECONDS)  # blocking, as the icalendar library's work is
        return real(*args, **kwargs)

    monkeypatch.setattr(calendar_file, "build", build)


async def test_another_persons_page_is_not_kept_waiting_while_a_calendar_is_made(
    new_phone, slow_build
):
    dana, mia = await swapped(new_phone)
    began = time.perf_counter()

    async def mias_page() -> float:
        await asyncio.sleep(0.3)  # while Dana's calendar is being built
        response = await mia.get(mia.url("followups"))
        assert response.status_code == 200
        return time.perf_counter() - began

    async def danas_calendar() -> float:
        response = await dana.get(dana.url("followups_calendar"))
        assert response.status_code == 200
        return time.perf_counter() - began

    calendar_done, page_done = await asyncio.gather(danas_calendar(), mias_page())
    # Mia's page came while Dana's calendar was still being built, not after it.
    assert page_done < calendar_done
    assert page_done < 0.3 + BUILDING_SECONDS / 2


async def test_a_second_calendar_at_once_is_refused_readably(new_phone, slow_build):
    dana, mia = await swapped(new_phone)

    async def again() -> object:
        await asyncio.sleep(0.3)
        return await dana.get(dana.url("followups_calendar"))

    first, second = await asyncio.gather(dana.get(dana.url("followups_calendar")), again())
    assert first.status_code == 200
    assert second.status_code == 429
    assert "retry-after" in second.headers
    assert CALENDAR_REFUSALS.making in text_of(second)
    # Someone else's calendar is theirs alone, and Dana's goes again once hers is made.
    assert (await mia.get(mia.url("followups_calendar"))).status_code == 200
    assert (await dana.get(dana.url("followups_calendar"))).status_code == 200


async def test_the_calendar_is_gzipped_at_the_exports_fast_level(new_phone, pool):
    dana, _mia = await swapped(new_phone)
    dana_id = await pool.fetchval("SELECT account_id FROM cards WHERE name <> 'Mia Chen'")
    # Enough follow-ups that the file is worth compressing.
    await pool.execute(
        """
        WITH g AS (INSERT INTO accounts (guest) SELECT true FROM generate_series(1, 40)
                   RETURNING id),
        c AS (INSERT INTO cards (account_id, name) SELECT id, 'Person ' || id FROM g
              RETURNING account_id),
        ct AS (INSERT INTO contacts (owner_id, contact_id, met_at, promised)
               SELECT $1, account_id, now(), repeat('an intro ', 20) FROM c RETURNING id)
        INSERT INTO followups (contact_id, owner_id, status, due_at)
        SELECT id, $1, 'open', now() + interval '1 day' FROM ct
        """,
        dana_id,
    )
    url = dana.url("followups_calendar")
    async with dana.client.stream("GET", url, headers={"accept-encoding": "gzip"}) as response:
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
        assert response.headers["content-encoding"] == "gzip"
        assert int(response.headers["content-length"]) == len(raw)
        assert response.headers["content-type"].startswith("text/calendar")
        assert "reachout-follow-ups.ics" in response.headers["content-disposition"]
    # RFC 1952's XFL byte: 4 for zlib's fastest levels, 2 for its best (GZipMiddleware's 9).
    assert making.GZIP_LEVEL == 1 and raw[8] == 4
