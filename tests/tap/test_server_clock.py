"""Bumps are timed on PostgreSQL's clock, not the web machine's: a phone measures its offset
against whichever web process answers ``/tap/clock``, so two machines whose clocks disagree
by more than the 40 ms window would otherwise never pair a bump timed against one with a bump
timed against the other."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Iterator
from types import SimpleNamespace

import asyncpg
import httpx
import pytest

from server.app import create_app
from server.config import Settings
from server.db import pool as db_pool
from server.tap import bumps
from tests.db_proxy import DatabaseProxy
from tests.tap.test_routes import bump, two_phones


@pytest.fixture(autouse=True)
def offset_restored() -> Iterator[None]:
    """The offset is the process's: what a skewed "machine" measured must not outlive it."""
    clock = getattr(bumps, "CLOCK", None)
    saved = getattr(clock, "offset_ms", None)
    yield
    if clock is not None:
        clock.offset_ms = saved


def skew(monkeypatch: pytest.MonkeyPatch, skew_ms: float) -> None:
    """This process's clock, as the bump module reads it, ``skew_ms`` off."""
    monkeypatch.setattr(bumps, "time", SimpleNamespace(time=lambda: time.time() + skew_ms / 1000))


@contextlib.asynccontextmanager
async def web_machine(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, skew_ms: float
) -> AsyncIterator[httpx.AsyncClient]:
    """A web process started on a machine whose clock is ``skew_ms`` off, and a client of it."""
    skew(monkeypatch, skew_ms)
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as client,
    ):
        yield client


async def postgres_ms(pool: asyncpg.Pool) -> float:
    return float((await pool.fetchval("SELECT clock_timestamp()")).timestamp() * 1000)


async def phone_offset(machine: httpx.AsyncClient) -> float:
    """What a phone (on the true time) learns from one sample: server time minus its own."""
    sent = time.time() * 1000
    answer = await machine.get("/tap/clock")
    back = time.time() * 1000
    assert answer.status_code == 200
    return float(answer.json()["now"]) - (sent + back) / 2


async def test_a_machine_200_ms_fast_still_answers_postgresqls_time(settings, pool, monkeypatch):
    async with web_machine(settings, monkeypatch, +200) as machine:
        before = await postgres_ms(pool)
        answer = (await machine.get("/tap/clock")).json()["now"]
        after = await postgres_ms(pool)
    # Within the measurement's error (half its best round trip: a few ms on a busy machine),
    # far from the 200 ms the machine's own clock is off.
    assert before - 20 <= answer <= after + 20, (answer - before, answer - after)


async def test_bumps_timed_against_two_machines_whose_clocks_differ_pair(
    new_phone, settings, monkeypatch
):
    dana, mia = await two_phones(new_phone)
    # Dana's phone found its offset against a machine 200 ms fast; Mia's against one 100 ms
    # slow (300 ms apart: any two machines more than 40 ms apart lost every such pair).
    async with web_machine(settings, monkeypatch, +200) as fast:
        dana_offset = await phone_offset(fast)
    async with web_machine(settings, monkeypatch, -100) as slow:
        mia_offset = await phone_offset(slow)
    felt = time.time() * 1000  # the one moment both phones felt
    first, second = await asyncio.gather(
        bump(dana, felt + dana_offset), bump(mia, felt + 10 + mia_offset)
    )
    assert [first.json()["state"], second.json()["state"]] == ["paired", "paired"]
    assert first.json()["partner_name"] == "Mia Chen"


async def test_the_last_offset_is_kept_while_the_database_is_away(database_url, monkeypatch):
    proxy = DatabaseProxy(database_url)
    await proxy.start()
    pool = await db_pool.create_pool(proxy.url)
    try:
        skew(monkeypatch, +200)
        assert await bumps.CLOCK.measure(pool)
        assert -210 < bumps.CLOCK.offset_ms < -190
        await proxy.cut()
        skew(monkeypatch, +500)
        assert not await bumps.CLOCK.measure(pool)
        assert -210 < bumps.CLOCK.offset_ms < -190, "kept, though this clock moved meanwhile"
    finally:
        await pool.close()
        await proxy.close()
