"""Push throughput: notifications sent per second by one reminder worker, against two baselines.

What one cell measures: N follow-ups are due in PostgreSQL (seeded with SQL: N
people each with one contact, a follow-up due a minute ago and one push
subscription), and the real ``server.followups.worker.Worker``, built as
``server.followups.worker.main`` builds it (a pool of 4 connections, ``push_client``,
``PushSender``), loops ``run_once()`` in this process (uvloop, as
``python -m server worker`` runs) until it has handled all N. The clock runs
from the first ``run_once()`` (which turns the due follow-ups into deliveries)
until the last ``'sent'`` is recorded. Then every delivery must be ``'sent'``,
and the push service must have answered exactly N requests, all ``201``, each
verified (VAPID JWT, ``aud`` with the port, the key the subscription was made
with) and decrypted, one per delivery at its own subscription.

The push service is server/local_services/push_service.py's ``LocalPushService`` on loopback
HTTPS (HTTP/1.1), answering at once or after 50 ms of added latency (about what
a real push service's round trip adds). Verifying a VAPID JWT and decrypting a
message cost about as much CPU as encrypting and sending one, so the service
runs in its own process (bench/_push_service.py; ``--service inprocess`` puts it
in this event loop instead), and by default it answers 201 at once and runs all
of its checks, with its own code, on every message after each timed run
(``--checks inline`` checks each request before answering, as in the tests). On a
machine with few cores an inline-checking service takes CPU the sender needs.

The same sends, done two ways people write them with pywebpush 2.5.0: the same
subscriptions, and the payloads, ``Topic`` and ``Urgency`` the worker sent (as the
push service decrypted them), ``TTL: 86400``, the VAPID key parsed once into a
``py_vapid.Vapid`` (which flatters them a little):

* sync: ``pywebpush.webpush()`` one call after another, as most tutorials show
  (no session, so a new TLS connection per message; the CA trusted through
  ``REQUESTS_CA_BUNDLE``). Slow, so when N is above ``--sync-full-max`` only the
  first ``--sync-sample`` sends are timed and the rate is extrapolated (marked ``*``);
* async: ``pywebpush.webpush_async()`` with one shared ``aiohttp.ClientSession``
  (connector limited to, and an ``asyncio.Semaphore`` of, the worker's concurrency),
  for all N. Neither baseline touches the database.

pywebpush computes the VAPID ``aud`` as ``scheme://netloc`` from the endpoint,
so it keeps the port and the service accepts it as is; it signs a new JWT for
every message.

Cells: N in (1,000, 10,000) x latency in (0, 50 ms). The aims (issue 15): at least 1.5x
the webpush_async baseline's rate in every cell, and at least 2,000 notifications/s in
the 50 ms cells (issue 3's were 1,000/s and the baseline's rate). The
second table is CPU, in percent of one core (the machine's cores x 100 in all),
during our run and the async baseline's: this process, the push service's
process, PostgreSQL, and anything else on the machine (other work skews the
rates: a warning is printed when it passes 20% of a core).

Run it::

    make bench
    .venv/bin/python bench/push.py                      # about 3 minutes
    .venv/bin/python bench/push.py --sizes 1000 --latencies 0.05 --concurrency 64
    .venv/bin/python bench/push.py --checks inline      # the service checks as it answers
    .venv/bin/python bench/push.py --service inprocess  # the service in this event loop
    .venv/bin/python bench/push.py --worker-processes 2 --concurrency 256  # two worker processes
    .venv/bin/python bench/push.py --smoke              # seconds, ours only: still works?

It exits 1 when a check fails (a delivery not sent, a message missing, refused or
received twice); a missed aim is only reported.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import platform
import pstats
import ssl
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from _cpu import CpuMeter
from _push_service import Service, push_service
from _seed import insert_accounts
from _server import SECRET_KEY, bench_database

from server.config import load_settings
from server.db.migrations import apply_migrations
from server.db.pool import create_pool
from server.db.queries import Queries
from server.followups import push
from server.followups.notifications import Paths
from server.followups.worker import TTL, Worker, push_client

AIM_RATE = 2000
AIM_RATIO = 1.5
AIM_LATENCY = 0.05
SUBJECT = "mailto:bench@example.com"
POOL_SIZE = 4  # as server.worker.main
WORKER_DEADLINE = 300.0
WORKER_SCRIPT = Path(__file__).resolve().parent / "_push_worker.py"  # --worker-processes
NOISY_OTHER_PERCENT = 20

# Each delivery and the subscription it goes to, to check what the push service received.
DELIVERY_TARGETS = """
SELECT d.id, s.endpoint FROM deliveries d JOIN push_subscriptions s ON s.id = d.subscription_id
"""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- seeding ----------------------------------------------------------------------------


async def seed(pool: Any, subscriptions: list[dict[str, str]]) -> None:
    """N owners, each with one contact (one of up to 500 people met, with cards), one
    open follow-up due a minute ago and one push subscription. Nothing queued yet."""
    n = len(subscriptions)
    people = min(n, 500)
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(
            "TRUNCATE deliveries, push_subscriptions, followups, contacts, cards, sessions,"
            " photos, accounts RESTART IDENTITY CASCADE"
        )
        # Owners are accounts 1..n, the people they met n+1..n+people.
        await insert_accounts(
            conn, n + people, ["UTC", "Europe/Paris", "America/New_York", "Asia/Tokyo"]
        )
        await conn.execute(
            "INSERT INTO cards (account_id, name, headline, company)"
            " SELECT $1 + i, 'Person ' || i, 'Recruiter, fashion and apparel', 'Threadline'"
            " FROM generate_series(1, $2) i",
            n,
            people,
        )
        await conn.execute(
            "INSERT INTO contacts (owner_id, contact_id, met_at, promised, they_asked)"
            " SELECT i, $1 + 1 + (i % $2), now() - interval '20 hours',"
            " 'an intro to two fashion recruiters', 'a look at my portfolio'"
            " FROM generate_series(1, $1) i",
            n,
            people,
        )
        await conn.execute(
            "INSERT INTO followups (contact_id, owner_id, due_at)"
            " SELECT id, owner_id, now() - interval '1 minute' - make_interval(secs => id / 1000.0)"
            " FROM contacts"
        )
        # Each phone signed in: reminders go only to devices whose session is in use
        # (reminder_devices() in logic.sql).
        await conn.execute(
            "INSERT INTO sessions (token_hash, account_id)"
            " SELECT sha256(('bench-' || i)::bytea), i FROM generate_series(1, $1) i",
            len(subscriptions),
        )
        await conn.execute(
            "INSERT INTO push_subscriptions"
            " (account_id, endpoint, p256dh, auth, device, session_id)"
            " SELECT i, e, p, a, 'Bench phone', (SELECT id FROM sessions WHERE account_id = i)"
            " FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS t(e, p, a, i)",
            [s["endpoint"] for s in subscriptions],
            [s["p256dh"] for s in subscriptions],
            [s["auth"] for s in subscriptions],
        )
    await pool.execute("ANALYZE")


# -- checks -----------------------------------------------------------------------------


def sub_id(endpoint: str) -> str:
    return endpoint.rsplit("/", 1)[-1]


async def check_received(
    service: Service, expected: list[tuple[str, int]], what: str
) -> tuple[list[str], dict[str, Any]]:
    """Exactly one accepted, decrypted message per expected (subscription, delivery)."""
    stats = await service.stats()
    problems = []
    statuses = stats["statuses"]
    if statuses != {"201": len(expected)}:
        problems.append(f"{what}: push service answers {statuses}, expected 201 x{len(expected)}")
    if stats["deferred_refused"]:
        problems.append(f"{what}: refused by the deferred checks: {stats['deferred_refused']}")
    got = Counter((r[0], r[1]) for r in stats["received"])
    want = Counter(expected)
    if got != want:
        missing = sum((want - got).values())
        extra = sum((got - want).values())
        problems.append(
            f"{what}: {len(stats['received'])} messages accepted for {len(expected)} expected"
            f" ({missing} missing, {extra} unexpected or repeated)"
        )
    return problems, stats


# -- the three senders ------------------------------------------------------------------


@dataclass
class Run:
    sends: int
    seconds: float
    cpu: dict[str, float] = field(default_factory=dict)
    passes: int = 0
    sampled: bool = False

    @property
    def rate(self) -> float:
        return self.sends / self.seconds


async def run_worker(
    pool: Any,
    sql: Queries,
    keys: push.VapidKeys,
    service: Service,
    meter: CpuMeter,
    *,
    n: int,
    concurrency: int,
    batch: int,
    tmp: Path,
    profile_top: int = 0,
    processes: int = 0,
    database_url: str = "",
) -> Run:
    if processes:
        return await run_worker_processes(
            database_url, service, meter, n=n, concurrency=concurrency, batch=batch, count=processes
        )
    from starlette.routing import Router

    from server.app import ROUTES

    settings = load_settings(
        {
            "REACHOUT_ENV": "test",
            "SECRET_KEY": SECRET_KEY,
            "REACHOUT_DATA_DIR": str(tmp),
            "VAPID_SUBJECT": SUBJECT,
            "PUSH_CA_FILE": service.ca_file,
            "WORKER_CONCURRENCY": str(concurrency),
        }
    )
    async with push_client(settings, settings.worker_concurrency) as http:
        worker = Worker(
            pool=pool,
            sql=sql,
            sender=push.PushSender(keys, settings.vapid_subject, http),
            paths=Paths(Router(routes=ROUTES), settings.secret_key),
            concurrency=settings.worker_concurrency,
            batch=batch,
            lease_seconds=settings.worker_lease_seconds,
        )
        profiler = cProfile.Profile() if profile_top else None
        start = meter.mark()
        deadline = start[0] + WORKER_DEADLINE
        handled = passes = 0
        if profiler is not None:
            profiler.enable()
        while handled < n:
            got = await worker.run_once()
            passes += 1
            handled += got
            if got == 0:
                if time.perf_counter() > deadline:
                    raise RuntimeError(f"the worker handled {handled} of {n} in time")
                await asyncio.sleep(0.01)
        end = meter.mark()
        if profiler is not None:
            profiler.disable()
            stats = pstats.Stats(profiler, stream=sys.stderr).strip_dirs()
            stats.sort_stats("tottime").print_stats(profile_top)
            stats.sort_stats("cumulative").print_stats(profile_top)
    return Run(handled, end[0] - start[0], CpuMeter.between(start, end), passes)


async def run_worker_processes(
    database_url: str,
    service: Service,
    meter: CpuMeter,
    *,
    n: int,
    concurrency: int,
    batch: int,
    count: int,
) -> Run:
    """``count`` worker processes (bench/_push_worker.py), ``concurrency`` sends in flight
    between them, started together once each is ready; timed until the last one has seen
    every delivery sent. Their CPU is added to "bench"."""
    share = max(1, concurrency // count)
    workers = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            str(WORKER_SCRIPT),
            database_url,
            service.ca_file,
            str(share),
            str(batch),
            str(n),
            env={**os.environ, "SECRET_KEY": SECRET_KEY},
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        for _ in range(count)
    ]
    for worker in workers:
        assert worker.stdout is not None
        line = await asyncio.wait_for(worker.stdout.readline(), 60)
        if line.strip() != b"ready":
            raise RuntimeError(f"a worker process did not start: {line!r}")
    start = meter.mark()
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write(b"go\n")
        await worker.stdin.drain()
    reports = []
    for worker in workers:
        assert worker.stdout is not None
        reports.append(json.loads(await worker.stdout.readline()))
    end = meter.mark()
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write(b"stop\n")
        await worker.stdin.drain()
        await worker.wait()
    seconds = end[0] - start[0]
    cpu = CpuMeter.between(start, end)
    worker_percent = 100 * sum(r["cpu"] for r in reports) / seconds
    cpu["bench"] += worker_percent
    cpu["other"] = max(0.0, cpu["other"] - worker_percent)
    handled = sum(r["handled"] for r in reports)
    return Run(handled, seconds, cpu, sum(r["passes"] for r in reports))


@dataclass(frozen=True)
class Send:
    subscription_info: dict[str, Any]
    data: str
    headers: dict[str, str | int | float]
    expected: tuple[str, int]


def same_sends(received: list[list[Any]], subscriptions: list[dict[str, str]]) -> list[Send]:
    """What the worker just sent, as the push service decrypted it: each message's
    subscription, payload, Topic and Urgency, in delivery order."""
    by_id = {s["id"]: s for s in subscriptions}
    sends = []
    for sub, delivery, topic, urgency, payload in sorted(received, key=lambda r: r[1]):
        subscription = by_id[sub]
        info = {
            "endpoint": subscription["endpoint"],
            "keys": {"p256dh": subscription["p256dh"], "auth": subscription["auth"]},
        }
        headers = {"Urgency": urgency or "normal"}
        if topic:
            headers["Topic"] = topic
        sends.append(Send(info, payload, headers, (sub, delivery)))
    return sends


def _sync_sends(sends: list[Send], vapid: Any) -> int:
    from pywebpush import WebPushException, webpush

    failed = 0
    for send in sends:
        try:
            webpush(
                send.subscription_info,
                data=send.data,
                vapid_private_key=vapid,
                vapid_claims={"sub": SUBJECT},
                ttl=TTL,
                headers=send.headers,
                timeout=10,
            )
        except WebPushException:
            failed += 1
    return failed


async def run_sync(sends: list[Send], vapid: Any, meter: CpuMeter, *, sampled: bool) -> Run:
    # In a thread, so that a push service in this loop (--service inprocess) keeps answering.
    start = meter.mark()
    failed = await asyncio.to_thread(_sync_sends, sends, vapid)
    end = meter.mark()
    if failed:
        log(f"  sync baseline: {failed} sends refused")
    return Run(len(sends), end[0] - start[0], CpuMeter.between(start, end), sampled=sampled)


async def run_async(
    sends: list[Send], vapid: Any, service: Service, meter: CpuMeter, *, concurrency: int
) -> Run:
    from pywebpush import WebPushException, webpush_async

    failed = 0
    limit = asyncio.Semaphore(concurrency)
    connector = aiohttp.TCPConnector(
        limit=concurrency, ssl=ssl.create_default_context(cafile=service.ca_file)
    )
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(send: Send) -> None:
            nonlocal failed
            async with limit:
                try:
                    await webpush_async(
                        send.subscription_info,
                        data=send.data,
                        vapid_private_key=vapid,
                        vapid_claims={"sub": SUBJECT},
                        ttl=TTL,
                        headers=send.headers,
                        timeout=10,
                        aiohttp_session=session,
                    )
                except (WebPushException, aiohttp.ClientError, TimeoutError):
                    failed += 1

        start = meter.mark()
        await asyncio.gather(*(one(send) for send in sends))
        end = meter.mark()
    if failed:
        log(f"  async baseline: {failed} sends failed")
    return Run(len(sends), end[0] - start[0], CpuMeter.between(start, end))


# -- the cells --------------------------------------------------------------------------


@dataclass
class Cell:
    n: int
    latency: float
    ours: Run
    sync: Run | None  # None: the pywebpush baselines were not run (--no-baselines)
    async_: Run | None

    @property
    def aim_applies(self) -> bool:
        return self.async_ is not None or abs(self.latency - AIM_LATENCY) < 1e-9

    @property
    def aim_met(self) -> bool:
        ratio_met = self.async_ is None or self.ours.rate >= AIM_RATIO * self.async_.rate
        rate_met = abs(self.latency - AIM_LATENCY) > 1e-9 or self.ours.rate >= AIM_RATE
        return ratio_met and rate_met


async def run_cell(
    pool: Any,
    sql: Queries,
    keys: push.VapidKeys,
    vapid: Any,
    service: Service,
    meter: CpuMeter,
    subscriptions: list[dict[str, str]],
    *,
    latency: float,
    args: argparse.Namespace,
    tmp: Path,
) -> tuple[Cell, list[str]]:
    n = len(subscriptions)
    label = f"N={n} latency={latency * 1000:.0f} ms"
    await service.configure(latency=latency)
    problems: list[str] = []
    best_ours: Run | None = None
    best_async: Run | None = None
    sync: Run | None = None
    # With --repeat, ours and the async baseline take turns and each keeps its best run.
    for repeat in range(args.repeat):
        await seed(pool, subscriptions)
        await service.reset()
        ours = await run_worker(
            pool,
            sql,
            keys,
            service,
            meter,
            n=n,
            concurrency=args.concurrency,
            batch=args.batch,
            tmp=tmp,
            profile_top=args.profile,
            processes=args.worker_processes,
            database_url=args.database_url,
        )
        statuses = dict(await pool.fetch("SELECT status, count(*) FROM deliveries GROUP BY status"))
        if statuses != {"sent": n}:
            problems.append(f"worker: deliveries are {statuses}, expected sent x{n}")
        targets = [(sub_id(r["endpoint"]), r["id"]) for r in await pool.fetch(DELIVERY_TARGETS)]
        found, stats = await check_received(service, targets, "worker")
        problems += found
        sends = same_sends(stats["received"], subscriptions)
        log(f"  {label}  worker {ours.rate:8.0f}/s  (other {ours.cpu['other']:.0f}%)")
        if best_ours is None or ours.rate > best_ours.rate:
            best_ours = ours

        if not args.baselines:
            continue
        if repeat == 0:
            sampled = n > args.sync_full_max
            sync_sends = sends[: args.sync_sample] if sampled else sends
            await service.reset()
            sync = await run_sync(sync_sends, vapid, meter, sampled=sampled)
            expected = [s.expected for s in sync_sends]
            problems += (await check_received(service, expected, "sync"))[0]
            log(f"  {label}  sync   {sync.rate:8.1f}/s")

        await service.reset()
        async_ = await run_async(sends, vapid, service, meter, concurrency=args.concurrency)
        problems += (await check_received(service, [s.expected for s in sends], "async"))[0]
        log(f"  {label}  async  {async_.rate:8.0f}/s  (other {async_.cpu['other']:.0f}%)")
        if best_async is None or async_.rate > best_async.rate:
            best_async = async_
        await service.reset()
    assert best_ours is not None
    return Cell(n, latency, best_ours, sync, best_async), problems


def rates_table(cells: list[Cell]) -> str:
    header = (
        f"{'N':>6} {'latency':>8}  {'ours/s':>7} {'sync/s':>8} {'async/s':>8}"
        f"  {'ours/sync':>9} {'ours/async':>10}"
        f"  aim (>= {AIM_RATIO}x async; >= {AIM_RATE}/s at 50 ms)"
    )
    rows = [header, "-" * len(header)]
    for c in cells:
        aim = ("MET" if c.aim_met else "NOT MET") if c.aim_applies else "-"
        sync_rate, sync_ratio = f"{'-':>8}", f"{'-':>9}"
        async_rate, async_ratio = f"{'-':>8}", f"{'-':>10}"
        if c.sync is not None:
            mark = "*" if c.sync.sampled else " "
            sync_rate = f"{c.sync.rate:>7.1f}{mark}"
            sync_ratio = f"{c.ours.rate / c.sync.rate:>8.1f}x"
        if c.async_ is not None:
            async_rate = f"{c.async_.rate:>8.0f}"
            async_ratio = f"{c.ours.rate / c.async_.rate:>9.2f}x"
        rows.append(
            f"{c.n:>6} {c.latency * 1000:>5.0f} ms  {c.ours.rate:>7.0f} {sync_rate} {async_rate}"
            f"  {sync_ratio} {async_ratio}  {aim}"
        )
    return "\n".join(rows)


def cpu_table(cells: list[Cell]) -> str:
    header = (
        f"{'N':>6} {'latency':>8}  {'sender':<6} {'seconds':>7} {'passes':>6}"
        f"  {'cpu% bench':>10} {'service':>7} {'db':>4} {'other':>5}  {'bench cpu us/msg':>16}"
    )
    rows = [header, "-" * len(header)]
    for c in cells:
        for name, run in (("ours", c.ours), ("async", c.async_)):
            if run is None:
                continue
            per_message = 10_000 * run.cpu["bench"] / run.rate
            rows.append(
                f"{c.n:>6} {c.latency * 1000:>5.0f} ms  {name:<6} {run.seconds:>7.2f}"
                f" {run.passes or '':>6}  {run.cpu['bench']:>10.0f} {run.cpu['service']:>7.0f}"
                f" {run.cpu['db']:>4.0f} {run.cpu['other']:>5.0f}  {per_message:>16.0f}"
            )
    return "\n".join(rows)


async def main(args: argparse.Namespace) -> int:
    cells: list[Cell] = []
    problems: list[str] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="reachout-bench-push-") as tmpdir:
        tmp = Path(tmpdir)
        async with (
            bench_database(tmp / "pg") as database,
            push_service(in_process=args.service == "inprocess") as service,
        ):
            pool = await create_pool(database.url, max_size=POOL_SIZE)
            args.database_url = database.url
            try:
                async with pool.acquire() as conn:
                    await apply_migrations(conn)
                sql = Queries()  # once, with the migrations: both as they are at the start
                keys = await push.load_keys(pool, None)
                await service.configure(
                    expected_public_key=keys.application_server_key,
                    defer=args.checks == "deferred",
                )
                vapid = None
                if args.baselines:  # pywebpush: the optional bench extra
                    from py_vapid import Vapid

                    vapid = Vapid.from_pem(keys.private_pem.encode())
                os.environ["REQUESTS_CA_BUNDLE"] = service.ca_file  # for webpush()'s requests
                subscriptions = await service.subscribe(max(args.sizes))
                meter = CpuMeter(service.pid if service.separate else None, database.postmaster_pid)
                log(f"push service at {service.origin} (pid {service.pid}), database ready")
                for n in args.sizes:
                    for latency in args.latencies:
                        cell, found = await run_cell(
                            pool,
                            sql,
                            keys,
                            vapid,
                            service,
                            meter,
                            subscriptions[:n],
                            latency=latency,
                            args=args,
                            tmp=tmp,
                        )
                        cells.append(cell)
                        problems += found
            finally:
                await pool.close()

    checks = (
        "after each run (deferred, outside the timed window)"
        if args.checks == "deferred"
        else "as it answers (inline)"
    )
    where = (
        "in its own process (bench/_push_service.py)"
        if args.service == "process"
        else "in this process and event loop"
    )
    print()
    print("Reachout push benchmark: notifications/s from due rows in PostgreSQL to 'sent' recorded")
    print(
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, uvloop;"
        " worker, push service and PostgreSQL on this machine, loopback HTTPS (HTTP/1.1)"
    )
    processes = (
        f" in {args.worker_processes} worker processes (bench/_push_worker.py) sharing it,"
        f" {args.concurrency // args.worker_processes} each, their CPU in bench"
        if args.worker_processes
        else ""
    )
    print(
        f"ours: server.worker.Worker.run_once() looped, concurrency {args.concurrency}{processes},"
        f" batch {args.batch}, pool of {POOL_SIZE} connections;"
        f" push service (server.local_services) {where}, verifying and decrypting every"
        f" message {checks}"
    )
    if args.baselines:
        print(
            "sync: pywebpush.webpush() one after another (a new TLS connection each); async:"
            f" pywebpush.webpush_async(), one aiohttp session, {args.concurrency} at a time"
        )
    else:
        print("sync, async: the pywebpush baselines were not run (--no-baselines)")
    if args.repeat > 1:
        print(f"ours and async: best of {args.repeat} runs each, taking turns; sync: one run")
    if any(c.sync is not None and c.sync.sampled for c in cells):
        print(
            f"* sync rate timed over the first {args.sync_sample} sends and extrapolated"
            f" (N above {args.sync_full_max})"
        )
    print()
    print(rates_table(cells))
    print()
    print(
        "CPU in percent of one core during each run: bench = this process (the worker or the"
        " async baseline, plus the push service with --service inprocess), service = the push"
        " service's process, db = PostgreSQL, other = anything else on the machine;"
        " passes = run_once() calls"
    )
    print(cpu_table(cells))
    print()
    noisy = [
        run.cpu["other"]
        for c in cells
        for run in (c.ours, c.async_)
        if run is not None and run.cpu["other"] > NOISY_OTHER_PERCENT
    ]
    if noisy:
        print(
            f"WARNING: other processes used up to {max(noisy):.0f}% of a core during"
            f" {len(noisy)} runs, so those rates are low;"
            " run again on a quiet machine."
        )
    print(f"total run time {time.perf_counter() - started:.0f} s")
    for problem in problems:
        print(f"CHECK FAILED: {problem}")
    if not problems:
        print(
            "checks: every delivery 'sent'; each sender's messages all answered 201, verified,"
            " decrypted, exactly one per delivery"
        )
    return 1 if problems else 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--latencies", type=float, nargs="+", default=[0.0, 0.05])
    parser.add_argument("--concurrency", type=int, default=128, help="worker and async baseline")
    parser.add_argument("--batch", type=int, default=256, help="rows the worker claims at a time")
    parser.add_argument(
        "--worker-processes",
        type=int,
        default=0,
        help="ours as N worker processes sharing --concurrency (0: one, in this process)",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of ours and async per cell, best kept"
    )
    parser.add_argument("--sync-sample", type=int, default=300)
    parser.add_argument("--sync-full-max", type=int, default=1000)
    parser.add_argument("--service", choices=("process", "inprocess"), default="process")
    parser.add_argument(
        "--checks",
        choices=("deferred", "inline"),
        default="deferred",
        help="when the push service verifies and decrypts: after each run, or per request",
    )
    parser.add_argument(
        "--no-baselines",
        dest="baselines",
        action="store_false",
        help="only ours: skip the pywebpush baselines (which need the bench extra)",
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="a tiny run (seconds) that checks it still works; no baselines",
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="TOP",
        help="profile the worker (cProfile) and print its TOP entries to stderr (slows it)",
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.sizes, args.latencies, args.concurrency, args.batch = [20], [0.0], 8, 8
        args.baselines = False
    return args


if __name__ == "__main__":
    import uvloop

    sys.exit(uvloop.run(main(parse_args())))
