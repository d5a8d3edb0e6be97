"""The calendar file is made as an export is: off the event loop (another person's page is not
kept waiting while it is built), one of an account's at a time (a second at once is a readable
429), and gzipped at the exports' fast level."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest

from server.export import making
from server.followups import calendar_file
from server.followups.routes import CALENDAR_REFUSALS
from tests.phone import text_of
from tests.reminders import swapped
from tests.waiting import WAIT_SECONDS, eventually


class SlowBuild:
    """A calendar whose building blocks its thread (as the icalendar library's CPU-bound work
    does, 0.4 s for 500 long entries) until the test lets it finish: while it builds, the
    test does what it likes, however slow the machine, and it ends when the test says."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.finished = threading.Event()
        self.go_on = threading.Event()

    async def building(self) -> bool:
        """Until a build has started (and holds its thread)."""
        return await eventually(lambda: asyncio.sleep(0, self.started.is_set()), "a build")

    def finish(self) -> None:
        self.go_on.set()


@pytest.fixture
def slow_build(monkeypatch) -> Iterator[SlowBuild]:
    real = calendar_file.build
    slow = SlowBuild()

    def build(*args, **kwargs):
        slow.started.set()
        # Blocking, as the real work is; not for ever, should the test fail before finish().
        slow.go_on.wait(WAIT_SECONDS)
        try:
            return real(*args, **kwargs)
        finally:
            slow.finished.set()

    monkeypatch.setattr(calendar_file, "build", build)
    yield slow
    slow.finish()


async def test_another_persons_page_is_not_kept_waiting_while_a_calendar_is_made(
    new_phone, slow_build
):
    dana, mia = await swapped(new_phone)
    calendar = asyncio.create_task(dana.get(dana.url("followups_calendar")))
    await slow_build.building()
    page = await mia.get(mia.url("followups"))
    # Mia's page came while Dana's calendar was still being built, not after it.
    assert page.status_code == 200
    assert not slow_build.finished.is_set()
    slow_build.finish()
    assert (await calendar).status_code == 200


async def test_a_second_calendar_at_once_is_refused_readably(new_phone, slow_build):
    dana, mia = await swapped(new_phone)
    first = asyncio.create_task(dana.get(dana.url("followups_calendar")))
    await slow_build.building()
    second = await dana.get(dana.url("followups_calendar"))
    slow_build.finish()
    assert (await first).status_code == 200
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
