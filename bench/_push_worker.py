"""One push worker process for ``bench/push.py --worker-processes N``.

Builds the reminder worker as ``bench/push.py`` builds it in its own process (our pool, the
push HTTP client, ``PushSender``), says ``ready`` on stdout, waits for a line on stdin, then
loops ``run_once()`` until the database holds ``n`` sent deliveries (the other processes
send some of them), prints one JSON line (what it handled, its passes and the CPU seconds
it used from the start line on), and stops at the next line on stdin.

    python bench/_push_worker.py DATABASE_URL CA_FILE CONCURRENCY BATCH N
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from server.config import load_settings  # noqa: E402
from server.db.pool import create_pool  # noqa: E402
from server.db.queries import Queries  # noqa: E402
from server.followups import push  # noqa: E402
from server.followups.notifications import Paths  # noqa: E402
from server.followups.worker import Worker, push_client  # noqa: E402

POOL_SIZE = 4  # as bench/push.py's (and the worker process's share for push)
DEADLINE = 300.0


async def main(database_url: str, ca_file: str, concurrency: int, batch: int, n: int) -> None:
    from starlette.routing import Router

    from server.app import ROUTES

    with tempfile.TemporaryDirectory(prefix="reachout-push-worker-") as tmp:
        settings = load_settings(
            {
                "REACHOUT_ENV": "test",
                "SECRET_KEY": os.environ["SECRET_KEY"],  # the bench's: signs the buttons' links
                "REACHOUT_DATA_DIR": tmp,
                "VAPID_SUBJECT": "mailto:bench@example.com",
                "PUSH_CA_FILE": ca_file,
                "WORKER_CONCURRENCY": str(concurrency),
            }
        )
        pool = await create_pool(database_url, max_size=POOL_SIZE)
        try:
            keys = await push.load_keys(pool, None)
            async with push_client(settings, settings.worker_concurrency) as http:
                worker = Worker(
                    pool=pool,
                    sql=Queries(),
                    sender=push.PushSender(keys, settings.vapid_subject, http),
                    paths=Paths(Router(routes=ROUTES), settings.secret_key),
                    concurrency=settings.worker_concurrency,
                    batch=batch,
                    lease_seconds=settings.worker_lease_seconds,
                )
                print("ready", flush=True)
                await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
                cpu = time.process_time()
                deadline = time.perf_counter() + DEADLINE
                handled = passes = 0
                while time.perf_counter() < deadline:
                    got = await worker.run_once()
                    passes += 1
                    handled += got
                    if got == 0:
                        sent = await pool.fetchval(
                            "SELECT count(*) FROM deliveries WHERE status = 'sent'"
                        )
                        if sent >= n:
                            break
                        await asyncio.sleep(0.005)
                cpu = time.process_time() - cpu
                print(json.dumps({"handled": handled, "passes": passes, "cpu": cpu}), flush=True)
                # Connected until the bench has read PostgreSQL's CPU: a backend that has
                # exited takes its CPU time with it.
                await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        finally:
            await pool.close()


if __name__ == "__main__":
    import uvloop

    url, ca, conc, size, total = sys.argv[1:6]
    uvloop.run(main(url, ca, int(conc), int(size), int(total)))
