"""Two real worker processes through a bad quarter of an hour, squeezed into one run: one is
killed with SIGKILL mid-batch, the push service answers 429 and 503 for a while, and
PostgreSQL is stopped and started again. Every reminder arrives; the only duplicates are
deliveries the killed worker had on the wire, and they carry the same Topic; no worker
exits on its own; the killed worker's deliveries go out within seconds."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from collections import defaultdict
from typing import Any

import asyncpg

from server.db.migrations import apply_migrations
from server.local_services.push_service import LocalPushService
from tests.conftest import PROJECT_ROOT, TEST_SECRET
from tests.followups.test_flood import zone_where_it_is
from tests.own_postgres import own_postgres

REMINDERS = 300
LEASE = 3  # seconds


async def seed(url: str, service: LocalPushService) -> None:
    """``REMINDERS`` people, each with one contact, a follow-up due now and one phone."""
    subscriptions = [service.subscribe() for _ in range(REMINDERS)]
    conn = await asyncpg.connect(url)
    try:
        await apply_migrations(conn)
        # Where it is midday: a push retried in the overload goes at a waking hour of its
        # person (deliveries.mark_retry), which in UTC's night would be 09:00.
        await conn.execute(
            "INSERT INTO accounts (time_zone) SELECT $2 FROM generate_series(1, $1)",
            REMINDERS + 1,
            zone_where_it_is(12),
        )
        await conn.execute("INSERT INTO cards (account_id, name) VALUES ($1, 'Dana Lee')", 1)
        await conn.execute(
            "INSERT INTO contacts (owner_id, contact_id, met_at)"
            " SELECT i, 1, now() - interval '20 hours' FROM generate_series(2, $1 + 1) i",
            REMINDERS,
        )
        await conn.execute(
            "INSERT INTO followups (contact_id, owner_id, due_at)"
            " SELECT id, owner_id, now() - interval '1 minute' FROM contacts"
        )
        # Each phone signed in (a session in use): reminders go only to such devices.
        await conn.execute(
            "INSERT INTO sessions (token_hash, account_id)"
            " SELECT sha256(i::text::bytea), i FROM generate_series(2, $1 + 1) i",
            REMINDERS,
        )
        await conn.executemany(
            "INSERT INTO push_subscriptions"
            " (account_id, endpoint, p256dh, auth, device, session_id)"
            " VALUES ($1, $2, $3, $4, 'Test phone',"
            " (SELECT id FROM sessions WHERE account_id = $1))",
            [
                (
                    i + 2,
                    s.to_json()["endpoint"],
                    s.to_json()["keys"]["p256dh"],
                    s.to_json()["keys"]["auth"],
                )
                for i, s in enumerate(subscriptions)
            ],
        )
    finally:
        await conn.close()


async def start_worker(url: str, service: LocalPushService, data_dir: str) -> Any:
    env = {
        **os.environ,
        "REACHOUT_ENV": "test",
        "DATABASE_URL": url,
        "SECRET_KEY": TEST_SECRET,
        "BASE_URL": "http://testserver",
        "REACHOUT_DATA_DIR": data_dir,
        "PUSH_SERVICES": "127.0.0.1:*",
        "PUSH_CA_FILE": service.ca_file,
        "WORKER_LEASE_SECONDS": str(LEASE),
        "WORKER_CONCURRENCY": "2",
        "LOG_LEVEL": "WARNING",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "server",
        "worker",
        env=env,
        cwd=PROJECT_ROOT,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


async def until(check: Any, seconds: float, what: str) -> float:
    """Waits until ``await check()`` is true; how long it took."""
    started = time.monotonic()
    while not await check():
        assert time.monotonic() - started < seconds, f"not within {seconds} s: {what}"
        await asyncio.sleep(0.1)
    return time.monotonic() - started


async def test_every_reminder_arrives_through_a_kill_an_overload_and_a_database_restart(
    tmp_path, push_service
):
    service = push_service
    service.expected_public_key = None  # the workers make their own key in their database
    service.latency = 0.2  # each worker sends about 10 a second: the run lasts ~15 s
    service.received.clear()
    async with own_postgres() as pg:
        await seed(pg.url, service)
        stats = await asyncpg.connect(pg.url)

        async def count(status: str) -> int:
            value: int = await stats.fetchval(
                "SELECT count(*) FROM deliveries WHERE status = $1", status
            )
            return value

        workers = [await start_worker(pg.url, service, str(tmp_path)) for _ in range(2)]
        try:
            # 1. One worker is killed mid-batch; a supervisor starts another in its place.
            await until(lambda: _true(len(service.received) >= 40), 30, "first sends")
            killed = workers[0]
            killed.send_signal(signal.SIGKILL)
            killed_at = time.monotonic()
            await killed.wait()
            held = {
                row["id"]
                for row in await stats.fetch(
                    "SELECT id FROM deliveries WHERE status = 'sending' AND leased_by LIKE $1",
                    f"%:{killed.pid}:%",
                )
            }
            assert held, "the killed worker held nothing: it was not mid-batch"
            workers.append(await start_worker(pg.url, service, str(tmp_path)))

            async def killed_rows_sent() -> bool:
                return bool(
                    await stats.fetchval(
                        "SELECT bool_and(status = 'sent') FROM deliveries WHERE id = ANY($1)",
                        list(held),
                    )
                )

            await until(killed_rows_sent, 30, "the killed worker's deliveries sent")
            recovered_in = time.monotonic() - killed_at
            assert recovered_in < LEASE + 4, f"the killed worker's rows took {recovered_in:.1f} s"

            # 2. The push service is overloaded for two seconds: 429 and 503, Retry-After 1.
            assert await count("queued") > 0, "nothing left to send: the run is too short"
            overloaded_from = len(service.attempts)
            service.overload((429, 503), retry_after=1)
            await asyncio.sleep(2)
            service.recover()
            refused = {a.status for a in service.attempts[overloaded_from:]}
            assert {429, 503} <= refused

            # 3. PostgreSQL stops (fast shutdown, connections cut) and starts 2 s later.
            assert await count("queued") > 0, "nothing left to send: the run is too short"
            await stats.close()
            await pg.stop()
            await asyncio.sleep(2)
            await pg.start()
            stats = await asyncpg.connect(pg.url)

            async def all_sent_and_no_worker_exited() -> bool:
                exited = [w for w in workers[1:] if w.returncode is not None]
                said = [(w.returncode, (await w.stderr.read()).decode()[-1500:]) for w in exited]
                assert not exited, f"a worker exited on its own: {said}"
                return await _all_sent(stats)

            await until(all_sent_and_no_worker_exited, 90, f"all {REMINDERS} sent and recorded")
        finally:
            for worker in workers:
                if worker.returncode is None:
                    worker.send_signal(signal.SIGTERM)
            errors = [(await asyncio.wait_for(w.communicate(), 30))[1].decode() for w in workers]
            await stats.close()
            service.latency = 0.0
        assert [w.returncode for w in workers] == [-signal.SIGKILL, 0, 0]
        log = "\n".join(errors[1:])
        assert "database unavailable" in log and "database back after" in log, log
        assert "Traceback" not in log, log

    by_delivery: defaultdict[int, list[Any]] = defaultdict(list)
    for received in service.received:
        by_delivery[json.loads(received.payload)["delivery"]].append(received)
    assert len(by_delivery) == REMINDERS
    twice = {delivery for delivery, copies in by_delivery.items() if len(copies) > 1}
    assert twice <= held, f"sent twice outside the kill window: {sorted(twice - held)}"
    for delivery in twice:
        assert len({copy.topic for copy in by_delivery[delivery]}) == 1
    service.received.clear()


async def _true(value: bool) -> bool:
    return value


async def _all_sent(conn: asyncpg.Connection) -> bool:
    row = await conn.fetchrow(
        "SELECT count(*) FILTER (WHERE status = 'sent') AS sent, count(*) AS total FROM deliveries"
    )
    return bool(row["total"] == REMINDERS and row["sent"] == REMINDERS)
