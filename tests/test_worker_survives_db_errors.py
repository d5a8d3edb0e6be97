"""The worker rides out database errors that pass (a read-only database after a failover or
with its storage full, a lock not had in time, a deadlock): it waits and goes on, its
reminders go once the database takes writes again, and its leases stay renewed."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest

from server.db.pool import create_pool
from tests.conftest import PROJECT_ROOT
from tests.reminders import make_due, running_worker, sharers_with_phones
from tests.waiting import eventually, until_waiting_for_lock

WORKER = "reachout-worker"  # its pool's application_name


@asynccontextmanager
async def read_only(conn: asyncpg.Connection) -> AsyncIterator[None]:
    """The database answers read-only, as a standby does, or a managed database whose
    storage filled up; restored after."""
    name = await conn.fetchval("SELECT current_database()")
    await conn.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    try:
        yield
    finally:
        await conn.execute(f'ALTER DATABASE "{name}" RESET default_transaction_read_only')


async def worker_connections(conn: asyncpg.Connection) -> int:
    return int(
        await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", WORKER
        )
    )


async def test_a_worker_rides_out_a_read_only_database_and_sends_once_it_is_back(
    new_phone, push, worker_env, database_url
):
    devices = await sharers_with_phones(new_phone, push, 2)
    env = {**os.environ, **worker_env, "WORKER_LEASE_SECONDS": "2", "LOG_LEVEL": "WARNING"}
    worker = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "server",
        "worker",
        env=env,
        cwd=PROJECT_ROOT,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    # Opened before the database turns read-only: this session can still write.
    conn = await asyncpg.connect(database_url)
    try:
        for _ in range(200):
            if await worker_connections(conn):
                break
            await asyncio.sleep(0.1)
        async with read_only(conn):
            # A failover: the worker's connections are cut, and made again to a standby.
            await conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE application_name = $1",
                WORKER,
            )
            await make_due(conn)
            await asyncio.sleep(3)
            assert worker.returncode is None, "the worker stopped on a read-only database"
            assert [push.received_for(device) for device in devices] == [[], []]
        # The primary is back: the reminders go, each once.
        await push.wait_for(2, timeout=20)
        await asyncio.sleep(0.5)  # a duplicate would arrive now
        assert [len(push.received_for(device)) for device in devices] == [1, 1]
        worker.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(worker.wait(), 15) == 0
        assert worker.stderr is not None
        said = (await worker.stderr.read()).decode()
        assert "database back after" in said  # said once, as for a restart
        assert "Traceback" not in said
    finally:
        if worker.returncode is None:
            worker.kill()
            await worker.wait()
        await conn.close()


FAIL_RENEWALS = """
CREATE FUNCTION refuse_renewal() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'not now';
END
$$;
CREATE TRIGGER refuse_renewal BEFORE UPDATE ON deliveries
FOR EACH ROW EXECUTE FUNCTION refuse_renewal();
"""


async def test_renewing_leases_goes_on_after_an_error_it_did_not_expect(
    new_phone, pool, push, app, caplog
):
    await sharers_with_phones(new_phone, push, 1)
    await make_due(pool)
    async with running_worker(app, push, lease_seconds=2) as worker:
        await worker.enqueue_due()
        claimed = await worker.leases.claim(10)
        assert len(claimed) == 1  # mid-send, renewed every 0.5 s
        finished = asyncio.Event()
        renewing = asyncio.create_task(worker.leases.renew_until(finished))

        def refused() -> int:
            said = [record.getMessage() for record in caplog.records]
            return sum("leases failed; trying again" in line for line in said)

        try:
            await pool.execute(FAIL_RENEWALS)
            try:
                await eventually(lambda: asyncio.sleep(0, refused() >= 2), "two renewals refused")
            finally:
                await pool.execute(
                    "DROP TRIGGER refuse_renewal ON deliveries; DROP FUNCTION refuse_renewal()"
                )
            await asyncio.sleep(2.5)  # past the lease, had it not been renewed since
            assert not renewing.done(), "renewing stopped"
            assert list(worker.leases.held) == [row["id"] for row in claimed]
            lease_left = await pool.fetchval(
                "SELECT extract(epoch FROM lease_until - now()) FROM deliveries"
            )
            assert lease_left > 0, "the lease ran out: another worker may take the row"
        finally:
            finished.set()
            await renewing


@pytest.mark.parametrize("stopped_by", ["pg_terminate_backend", "pg_cancel_backend"])
async def test_a_query_stopped_while_queueing_reminders_is_ridden_out(
    stopped_by, new_phone, app, pool, push, database_url, caplog
):
    """Cut in the middle of the enqueue's transaction (a failover), asyncpg says "the
    underlying connection is closed" over the error that cut it; cancelled (an operator, a
    statement_timeout), the query fails with 57014: either way the worker waits and goes on,
    as for any outage, and says so without a traceback (CI saw one; the worker died)."""
    devices = await sharers_with_phones(new_phone, push, 2)
    await make_due(pool)
    owners = [row["owner_id"] for row in await pool.fetch("SELECT owner_id FROM followups")]
    name = "cut mid-queue"
    worker_pool = await create_pool(database_url, max_size=4, application_name=name)
    conn = await asyncpg.connect(database_url)
    stop = asyncio.Event()
    try:
        # Held here, the owners' locks keep the enqueue waiting inside its transaction.
        await conn.execute(
            "SELECT pg_advisory_lock(hashtextextended('reminders:' || o, 0))"
            " FROM unnest($1::bigint[]) AS o",
            owners,
        )
        async with running_worker(app, push, pool=worker_pool, poll_seconds=0.2) as worker:
            running = asyncio.create_task(worker.run(stop))
            [waiting] = await until_waiting_for_lock(
                conn, "the worker waiting for the owners' locks", application_name=name
            )
            await conn.execute(f"SELECT {stopped_by}($1)", waiting)
            await conn.execute("SELECT pg_advisory_unlock_all()")
            await push.wait_for(2, timeout=20)
            assert not running.done(), "the worker stopped when its connection was cut"
            assert [len(push.received_for(device)) for device in devices] == [1, 1]
            stop.set()
            await asyncio.wait_for(running, 15)
        errors = [record for record in caplog.records if record.levelname == "ERROR"]
        assert errors == [], [record.getMessage() for record in errors]
        said = [record.getMessage() for record in caplog.records]
        assert any(message.startswith("database unavailable") for message in said)
    finally:
        stop.set()
        await conn.close()
        await worker_pool.close()
