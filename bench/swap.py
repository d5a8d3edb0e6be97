"""Swap throughput against its floor: complete swaps and card pages per second, p50/p99, CPU.

A *complete swap* is what a person with no app does after scanning a QR code:
``GET /c/<token>`` (the sharer's card), then ``POST /c/<token>/details`` with
their name and email, as a browser posts a form (``Sec-Fetch-Site: same-origin``),
answered ``303`` to ``/welcome/<id>`` once their account, card, session and the two-way connection
are stored. The redirect is not followed. Each swap is a new person: a new
cookie jar, a new name and email; the token comes round-robin from a pool of
sharers created through HTTP before the cells of each concurrency (so that no card
reaches its limit of new people an hour). The *card* workload is the
``GET /c/<token>`` alone, as the QR code opens it. By default there are more sharers than a
web process keeps card pages rendered (``CARD_PAGES_KEPT``), as at a big event: after its
first opening a card's page comes from the database (``server/swaps/card_pages.py``), not
from the process's own memory; ``--sharers 50`` measures a crowd scanning a few codes.

The floor (``bench/_floor.py``) is the least a swap must do on the same stack: a bare
Starlette app on our asyncpg pool, run by uvicorn with our options and as many workers,
against the same PostgreSQL: its card page is one read into a small HTML page, its POST
two inserts in one transaction (``--floor-writes ours``: the same bare app with our reads
and writes instead, which prices our web layer alone). Both servers run side by side, and
every cell alternates rounds between ours and the floor (ours first, then the floor first,
...), so what else the machine does falls on both alike: their ratio is the figure; the
rates move with noise.

The load is a closed loop with no think time: N simulated phones each run one
operation after another, so throughput and latency are measured together (at
saturation, latency is roughly N / throughput). Each round warms up for ``--warmup``
seconds, then counts what finishes in the next ``--duration`` seconds. The tables
also say where the CPU went in the measured windows, in percent of one core: the
web processes (ours or the floor's), PostgreSQL, this load generator, and the rest;
and what one operation cost the web processes and PostgreSQL, in CPU milliseconds.

The load generator is this process: a minimal HTTP/1.1 client on asyncio
streams, much leaner than httpx, since it shares the cores with the servers
and the database. By default every operation is a new phone and so a new TCP
connection (a swap's GET and POST share it, as a browser's do); ``--keep-alive``
lets each simulated phone keep its connection from one operation to the next
instead, as a reverse proxy in front of the app may (the cookies are still new for
every swap).

The server is the real one, ``python -m server web`` with ``WEB_CONCURRENCY`` 1
and then 2 (uvicorn workers), on loopback, against a fresh database on an
embedded PostgreSQL (or on the server in ``DATABASE_URL`` when set). With ``--big-event N``
that database first holds a conference of N attendees as bench/events.py seeds it (their
cards, about seven two-way swaps each with their follow-ups, blocks, requests), those
tables vacuumed and analyzed: each swap then writes into tables and indexes of that size,
and each plan PostgreSQL keeps is made for them.

Run it::

    make bench                         # this, then the other scripts
    .venv/bin/python bench/swap.py     # about 4 minutes
    .venv/bin/python bench/swap.py --concurrency 64 --workers 2 --rounds 5
    .venv/bin/python bench/swap.py --keep-alive
    .venv/bin/python bench/swap.py --pgbouncer     # both by way of PgBouncer (transaction pooling)
    .venv/bin/python bench/swap.py --floor-writes ours  # the bare app with our statement
    .venv/bin/python bench/swap.py --big-event 70000   # into a big conference's database
    .venv/bin/python bench/swap.py --smoke     # a few seconds: that it still works

The aim: a swap, and the card page, at 0.75x their floor's rate or better; it is
reported, not enforced. The script exits 1 only when a request failed or the
database does not hold exactly the rows the swaps made (ours and the floor's).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import itertools
import os
import platform
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import _floor
import asyncpg
import httpx
import psutil
from _http import SAME_ORIGIN, Connection
from _seed import BROWSER_POST, Sharer, make_sharers
from _server import HOST, bench_database, floor_server, web_server

from server.app import CARD_PAGES_KEPT
from server.local_services.pgbouncer import pgbouncer

OP_TIMEOUT = 10.0
NOISY_OTHER_PERCENT = 20
AIM_RATIO = 0.75  # of the floor's rate, for a swap and for the card page
# --pgbouncer: PgBouncer's server connections (its default_pool_size), shared by both servers.
PGBOUNCER_POOL = 16
# --big-event: two-way swaps per attendee, as in bench/events.py (500,000 among 70,000).
BIG_EVENT_SWAPS_EACH = 500_000 / 70_000
BIG_EVENT_LEAST = 100
# The tables bench/events.py's seed() fills.
BIG_EVENT_TABLES = (
    "accounts",
    "cards",
    "email_addresses",
    "address_confirmations",
    "events",
    "event_attendees",
    "contacts",
    "followups",
    "blocks",
    "connect_requests",
    "push_subscriptions",
)


class HTTPError(Exception):
    """The server answered something a complete swap does not expect."""


class Workload:
    """Builds the raw requests of one operation (a swap, or a card page) and checks them."""

    name = ""
    unit = ""

    def __init__(self, host_header: str, tokens: list[str]) -> None:
        self.common = (
            f"Host: {host_header}\r\n"
            "User-Agent: reachout-bench\r\n"
            "Accept-Encoding: gzip\r\n"
            "Accept-Language: en-US,en;q=0.9\r\n"
        )
        self.tokens = itertools.cycle(tokens)

    async def run(self, conn: Connection) -> None:
        raise NotImplementedError

    async def card_page(self, conn: Connection, token: str) -> None:
        page = await conn.request(
            f"GET /c/{token} HTTP/1.1\r\n{self.common}Accept: text/html\r\n\r\n".encode()
        )
        if page.status != 200:
            raise HTTPError(f"GET /c/<token> answered {page.status}")


class Card(Workload):
    """The card page a QR code opens, for someone with no app (no cookie)."""

    name = "card"
    unit = "pages/s"

    async def run(self, conn: Connection) -> None:
        await self.card_page(conn, next(self.tokens))


class Swap(Workload):
    name = "swap"
    unit = "swaps/s"
    cookie = "ro_session"

    def __init__(self, host_header: str, tokens: list[str]) -> None:
        super().__init__(host_header, tokens)
        self.people = itertools.count(1)
        self.run_id = os.urandom(3).hex()

    async def run(self, conn: Connection) -> None:
        token = next(self.tokens)
        person = next(self.people)
        await self.card_page(conn, token)
        if not conn.usable:
            raise HTTPError("the server closed the connection after the card page")
        body = urlencode(
            {
                "name": f"Visitor {self.run_id} {person}",
                "email": f"visitor-{self.run_id}-{person}@example.com",
                "phone": "",
                "linkedin": "",
                "headline": "",
                # What app.js adds to each try (link_joins: Send again is the same try).
                "attempt": str(uuid.uuid4()),
            }
        ).encode()
        reply = await conn.request(
            (
                f"POST /c/{token}/details HTTP/1.1\r\n{self.common}"
                "Accept: text/html\r\n"
                # Each visitor is a phone of its own, as the limits per address see it (the
                # server believes loopback's X-Forwarded-For: FORWARDED_ALLOW_IPS).
                f"X-Forwarded-For: {visitor_address(person)}\r\n"
                f"{SAME_ORIGIN}"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            ).encode()
            + body
        )
        if reply.status != 303 or "/welcome/" not in reply.location:
            raise HTTPError(f"POST /c/<token>/details answered {reply.status}")
        if self.cookie not in reply.cookies:
            raise HTTPError("POST /c/<token>/details set no session cookie")


class FloorSwap(Swap):
    """The same requests, to the floor app (bench/_floor.py)."""

    name = "floor swap"
    cookie = "floor_session"


class FloorCard(Card):
    name = "floor card"


def visitor_address(n: int) -> str:
    """A distinct IPv4 address for the ``n``th visitor (10.0.0.0/8)."""
    return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


# (time, web process tree's CPU by pid, PostgreSQL's by pid, this process's, the machine's busy)
Mark = tuple[float, dict[int, float], dict[int, float], float, float]


class CpuMeter:
    """CPU seconds used by the web processes, PostgreSQL and this process, between two marks."""

    def __init__(self, web_pid: int, db_pid: int | None) -> None:
        self.web_pid = web_pid
        self.db_pid = db_pid
        self.me = psutil.Process()

    @staticmethod
    def _tree(pid: int) -> dict[int, float]:
        times: dict[int, float] = {}
        try:
            root = psutil.Process(pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            return times
        for proc in procs:
            with contextlib.suppress(psutil.Error):
                cpu = proc.cpu_times()
                times[proc.pid] = cpu.user + cpu.system
        return times

    def _db(self) -> dict[int, float]:
        if self.db_pid is not None:
            return self._tree(self.db_pid)
        times: dict[int, float] = {}  # DATABASE_URL: any local PostgreSQL, if it is local
        for proc in psutil.process_iter(["name", "cpu_times"]):
            if proc.info["name"] == "postgres" and proc.info["cpu_times"] is not None:
                cpu = proc.info["cpu_times"]
                times[proc.pid] = cpu.user + cpu.system
        return times

    def mark(self) -> Mark:
        me = self.me.cpu_times()
        total = psutil.cpu_times()
        busy = sum(total) - total.idle - getattr(total, "iowait", 0.0)
        return time.perf_counter(), self._tree(self.web_pid), self._db(), me.user + me.system, busy

    @staticmethod
    def between(start: Mark, end: Mark) -> dict[str, float]:
        """CPU seconds each part used, the whole machine's included ("other": the rest)."""

        def delta(before: dict[int, float], after: dict[int, float]) -> float:
            return sum(max(0.0, cpu - before.get(pid, 0.0)) for pid, cpu in after.items())

        parts = {
            "web": delta(start[1], end[1]),
            "db": delta(start[2], end[2]),
            "load": end[3] - start[3],
        }
        # Whatever else ran on the machine meanwhile: high values make the figures unreliable.
        parts["other"] = max(0.0, end[4] - start[4] - sum(parts.values()))
        return parts


@dataclass
class Cell:
    """One workload at one concurrency and number of web processes, over all its rounds."""

    workers: int
    workload: str
    unit: str
    concurrency: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    completed_total: int = 0  # every success, warm-up included (checked against the database)
    first_error: str = ""
    cpu_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def cpu_percent(self, part: str) -> float:
        """Percent of one core this part used in the measured windows."""
        return 100 * self.cpu_seconds.get(part, 0.0) / self.seconds if self.seconds else 0.0

    def cpu_ms_per_op(self, part: str) -> float:
        """CPU milliseconds that one operation cost this part."""
        done = len(self.latencies)
        return 1000 * self.cpu_seconds.get(part, 0.0) / done if done else float("nan")

    def percentile(self, q: float) -> float:
        """Nearest-rank percentile in milliseconds."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
        return 1000 * ordered[index]


async def run_round(
    port: int,
    workload: Workload,
    cell: Cell,
    *,
    concurrency: int,
    warmup: float,
    duration: float,
    keep_alive: bool,
    meter: CpuMeter,
) -> None:
    """One round of ``workload``: warm up, then add ``duration`` seconds of it to ``cell``."""
    start = time.perf_counter()
    measure_from = start + warmup
    measure_to = measure_from + duration

    async def phone() -> None:
        conn: Connection | None = None
        try:
            while (began := time.perf_counter()) < measure_to:
                error = ""
                try:
                    async with asyncio.timeout(OP_TIMEOUT):
                        if conn is None or not conn.usable:
                            if conn is not None:
                                conn.close()
                            conn = await Connection.open(HOST, port)
                        await workload.run(conn)
                except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError) as exc:
                    error = f"{type(exc).__name__}: {exc}"
                except HTTPError as exc:
                    error = str(exc)
                ended = time.perf_counter()
                if error:
                    if conn is not None:
                        conn.close()
                        conn = None
                else:
                    cell.completed_total += 1
                if measure_from <= ended < measure_to:
                    if error:
                        cell.errors += 1
                        cell.first_error = cell.first_error or error
                    else:
                        cell.latencies.append(ended - began)
                if error:
                    await asyncio.sleep(0.05)  # a failing server is not a reason to spin
                if not keep_alive and conn is not None:
                    conn.close()
                    conn = None
        finally:
            if conn is not None:
                conn.close()

    async def sample_cpu() -> None:
        await asyncio.sleep(max(0.0, measure_from - time.perf_counter()))
        first = meter.mark()
        await asyncio.sleep(max(0.0, measure_to - time.perf_counter()))
        last = meter.mark()
        cell.seconds += last[0] - first[0]
        for part, used in CpuMeter.between(first, last).items():
            cell.cpu_seconds[part] = cell.cpu_seconds.get(part, 0.0) + used

    await asyncio.gather(sample_cpu(), *(phone() for _ in range(concurrency)))


async def precheck(base_url: str, sharer: Sharer) -> None:
    """One complete swap with a full HTTP client, following the redirect, before any timing."""
    async with httpx.AsyncClient(base_url=base_url, timeout=30, follow_redirects=True) as client:
        page = await client.get(f"/c/{sharer.token}")
        if page.status_code != 200 or "Dana Lee" not in page.text:
            raise RuntimeError(f"GET /c/<token> answered {page.status_code}")
        welcome = await client.post(
            f"/c/{sharer.token}/details",
            data={
                "name": "Precheck Person",
                "email": "precheck@example.com",
            },
            headers=BROWSER_POST,
        )
        if welcome.status_code != 200 or "/welcome/" not in str(welcome.url):
            raise RuntimeError(f"the details form ended at {welcome.status_code} {welcome.url}")


def server_stack() -> str:
    """What uvicorn's ``loop="auto"`` and ``http="auto"`` pick in this environment."""
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    return f"{loop} + {http}"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def table(cells: Iterable[Cell]) -> str:
    header = (
        f"{'web procs':>9}  {'workload':<10} {'concurrent':>10}  {'rate':>7} {'unit':<7}"
        f" {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}   {'cpu% web':>8} {'db':>4} {'load':>4}"
        f" {'other':>5}   {'cpu ms/op web':>13} {'db':>5}"
    )
    rows = [header, "-" * len(header)]
    for c in cells:
        rows.append(
            f"{c.workers:>9}  {c.workload:<10} {c.concurrency:>10}  {c.rate:>7.0f} {c.unit:<7}"
            f" {c.percentile(50):>7.1f} {c.percentile(99):>7.1f} {c.errors:>6}"
            f"   {c.cpu_percent('web'):>8.0f} {c.cpu_percent('db'):>4.0f}"
            f" {c.cpu_percent('load'):>4.0f} {c.cpu_percent('other'):>5.0f}"
            f"   {c.cpu_ms_per_op('web'):>13.2f} {c.cpu_ms_per_op('db'):>5.2f}"
        )
    return "\n".join(rows)


def pairs(cells: list[Cell]) -> list[tuple[Cell, Cell]]:
    """Each of ours with its floor (same web processes, concurrency and rounds)."""
    found = {(c.workers, c.workload, c.concurrency): c for c in cells}
    return [
        (c, found[(c.workers, f"floor {c.workload}", c.concurrency)])
        for c in cells
        if (c.workers, f"floor {c.workload}", c.concurrency) in found
    ]


def ratio_table(cells: list[Cell], aim: bool = True) -> str:
    """Each of ours against its floor; ``aim``: whether the issue's aim (set against the
    two-insert floor) applies, else the last column only says where 0.75x falls."""
    header = (
        f"{'web procs':>9}  {'workload':<8} {'concurrent':>10}  {'ours/s':>7} {'floor/s':>7}"
        f" {'ratio':>6}   {'p99 ms ours':>11} {'floor':>6}   {'cpu ms/op ours':>14} {'floor':>6}"
        f"   {'aim' if aim else 'vs'} {AIM_RATIO:g}x"
    )
    rows = [header, "-" * len(header)]
    verdicts = {True: "met", False: "NOT MET"} if aim else {True: "above", False: "below"}
    for ours, floor in pairs(cells):
        ratio = ours.rate / floor.rate if floor.rate else float("nan")
        mine = ours.cpu_ms_per_op("web") + ours.cpu_ms_per_op("db")
        theirs = floor.cpu_ms_per_op("web") + floor.cpu_ms_per_op("db")
        rows.append(
            f"{ours.workers:>9}  {ours.workload:<8} {ours.concurrency:>10}"
            f"  {ours.rate:>7.0f} {floor.rate:>7.0f} {ratio:>5.2f}x"
            f"   {ours.percentile(99):>11.1f} {floor.percentile(99):>6.1f}"
            f"   {mine:>14.2f} {theirs:>6.2f}"
            f"   {verdicts[ratio >= AIM_RATIO]}"
        )
    return "\n".join(rows)


async def seed_big_event(database_url: str, attendees: int) -> None:
    """A conference of ``attendees`` in the database, as bench/events.py seeds it, vacuumed."""
    import events  # with its own imports, only when asked for

    people = events.make_people(attendees, random.Random(events.SEED))
    reach = events.reach_of(attendees, random.Random(events.SEED + 3))
    # Rows only: no push service is asked here.
    devices = [
        {"endpoint": f"https://push.invalid/bench/{n}", "p256dh": "-", "auth": "-"}
        for n, way in enumerate(reach)
        if way in ("push", "both")
    ]
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=1)
    try:
        swaps = round(attendees * BIG_EVENT_SWAPS_EACH)
        await events.seed(pool, people, reach, devices, swaps)
        # As a database that has run for a while: autovacuum's first pass over a million new
        # rows would otherwise fall in the first cell and count as the swaps' CPU. Only the
        # tables seeded: one analyzed empty (the limits' slots, say) is taken for empty by
        # the plans the first connections keep, where a live database's has rows.
        await pool.execute(
            f"VACUUM ANALYZE {', '.join(BIG_EVENT_TABLES)}", timeout=events.SEED_TIMEOUT
        )
    finally:
        await pool.close()


async def count_rows(database_url: str, floor_tables: bool) -> dict[str, int]:
    """Rows of ours, and of the floor's own tables (0 when it wrote ours instead)."""
    conn = await asyncpg.connect(database_url)
    floor = ("floor_people", "floor_contacts")
    try:
        return {
            table: await conn.fetchval(f"SELECT count(*) FROM {table}")  # noqa: S608 - ours
            if floor_tables or table not in floor
            else 0
            for table in ("accounts", "contacts", *floor)
        }
    finally:
        await conn.close()


async def main(args: argparse.Namespace) -> int:
    cells: list[Cell] = []
    swaps_ok = floor_swaps_ok = 0
    with tempfile.TemporaryDirectory(prefix="reachout-bench-") as tmpdir:
        tmp = Path(tmpdir)
        async with contextlib.AsyncExitStack() as stack:
            database = await stack.enter_async_context(bench_database(tmp / "pg"))
            database_url = direct_url = database.url
            if args.pgbouncer:
                bouncer = await stack.enter_async_context(
                    pgbouncer(direct_url, tmp / "pgbouncer", pool_size=PGBOUNCER_POOL)
                )
                database_url = bouncer.url
                log(
                    f"PgBouncer (transaction pooling, {PGBOUNCER_POOL} server connections) in front"
                )
            pooled = direct_url if args.pgbouncer else None
            sharers_total = prechecks = 0
            seeded = {"accounts": 0, "contacts": 0}
            for workers in args.workers:
                async with (
                    web_server(database_url, tmp, workers=workers, direct_url=pooled) as server,
                    floor_server(
                        database_url,
                        tmp,
                        workers=workers,
                        direct_url=pooled,
                        writes=args.floor_writes,
                    ) as floor,
                ):
                    log(
                        f"servers up: ours {server.base_url}, floor {floor.base_url},"
                        f" {workers} web process(es) each"
                    )
                    if args.big_event and not seeded["accounts"]:
                        # Once the servers have made the tables, before anything else is in.
                        started = time.perf_counter()
                        await seed_big_event(direct_url, args.big_event)
                        seeded = await count_rows(direct_url, floor_tables=False)
                        log(
                            f"a big event seeded: {seeded['accounts']:,} attendees,"
                            f" {seeded['contacts']:,} contact rows, in"
                            f" {time.perf_counter() - started:.0f} s"
                        )
                    sides = {
                        "ours": (server, CpuMeter(server.pid, database.postmaster_pid)),
                        "floor": (floor, CpuMeter(floor.pid, database.postmaster_pid)),
                    }
                    for concurrency in args.concurrency:
                        # New cards for each concurrency: a card takes 300 new people an
                        # hour (server/swaps/rates.py), and at 700 swaps/s 50 cards reach
                        # that within the cells of one server.
                        sharers = await make_sharers(server.base_url, args.sharers)
                        await precheck(server.base_url, sharers[0])
                        prechecks += 1
                        sharers_total += len(sharers) + 1  # the precheck's visitor too
                        tokens = [s.token for s in sharers]
                        if args.floor_writes == "ours":
                            # Cards of its own: both sides count against a card's limits.
                            floor_sharers = await make_sharers(server.base_url, args.sharers)
                            sharers_total += len(floor_sharers)
                            floor_tokens = [s.token for s in floor_sharers]
                        else:
                            await _floor.setup(direct_url, tokens)
                            floor_tokens = tokens
                        for kinds in ((Swap, FloorSwap), (Card, FloorCard)):
                            round_cells = []
                            for kind in kinds:
                                side = "floor" if kind.name.startswith("floor") else "ours"
                                target, meter = sides[side]
                                workload = kind(
                                    urlsplit(target.base_url).netloc,
                                    floor_tokens if side == "floor" else tokens,
                                )
                                cell = Cell(workers, kind.name, kind.unit, concurrency)
                                round_cells.append((target, meter, workload, cell))
                            for n in range(args.rounds):
                                # Ours first, then the floor, then the other way round: drift
                                # in what else runs on the machine falls on both alike.
                                order = round_cells if n % 2 == 0 else round_cells[::-1]
                                for target, meter, workload, cell in order:
                                    await run_round(
                                        target.port,
                                        workload,
                                        cell,
                                        concurrency=concurrency,
                                        warmup=args.warmup,
                                        duration=args.duration,
                                        keep_alive=args.keep_alive,
                                        meter=meter,
                                    )
                                    await asyncio.sleep(0.3)  # let connections close
                            for _, _, _, cell in round_cells:
                                cells.append(cell)
                                if cell.workload == "swap":
                                    swaps_ok += cell.completed_total
                                elif cell.workload == "floor swap":
                                    floor_swaps_ok += cell.completed_total
                                log(
                                    f"  {workers} proc  {cell.workload:<10} x{concurrency:<4}"
                                    f" {cell.rate:7.0f} {cell.unit:<7}"
                                    f" p50 {cell.percentile(50):6.1f} ms"
                                    f"  p99 {cell.percentile(99):6.1f} ms  errors {cell.errors}"
                                    + (f" (first: {cell.first_error})" if cell.first_error else "")
                                )
            counts = await count_rows(direct_url, args.floor_writes != "ours")

    conn_model = (
        "keep-alive, each phone keeps its connection across operations (new cookies per swap)"
        if args.keep_alive
        else "a new TCP connection per operation (a swap's GET and POST share it)"
    )
    print()
    print("Reachout swap benchmark")
    print(
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, uvicorn with"
        f" {server_stack()}; servers, PostgreSQL and load generator all on this machine, loopback"
    )
    if args.pgbouncer:
        print(
            f"database: by way of PgBouncer (transaction pooling, {PGBOUNCER_POOL} server"
            " connections; its own CPU is in other), both servers' statement caches off;"
            " DATABASE_DIRECT_URL to PostgreSQL itself"
        )
    if seeded["accounts"]:
        print(
            f"database: a conference seeded first as bench/events.py does, then vacuumed:"
            f" {seeded['accounts']:,} attendees with cards, {seeded['contacts']:,} contact rows"
            " and their follow-ups"
        )
    print(
        f"closed loop, no think time; {args.rounds} round(s) per cell, ours and the floor"
        f" alternating, each {args.warmup:g} s warm-up then {args.duration:g} s measured;"
        f" connections: {conn_model}"
    )
    print(
        "swap = GET /c/<token> + POST /c/<token>/details (303, redirect not followed);"
        " card = GET /c/<token> with no cookie; floor = the same requests to bench/_floor.py"
        + (
            " with our reads and writes (our card read for the page; our statement for a swap,"
            " accounts.join_by_link, for the POST), in the bare app"
            if args.floor_writes == "ours"
            else " (one read for the page; two inserts in one transaction for the POST)"
        )
    )
    print(
        "cpu% = percent of one core in the measured windows, by the web processes, PostgreSQL,"
        f" this load generator, and anything else on the machine ({os.cpu_count()} cores ="
        f" {100 * (os.cpu_count() or 1)}); cpu ms/op = CPU time one operation cost the web"
        " processes and PostgreSQL"
    )
    print()
    print(table(cells))
    print()
    print(ratio_table(cells, aim=args.floor_writes != "ours"))
    print()
    noisy = [c for c in cells if c.cpu_percent("other") > NOISY_OTHER_PERCENT]
    if noisy:
        worst = max(c.cpu_percent("other") for c in noisy)
        print(
            f"WARNING: other processes on the machine used up to {worst:.0f}% of a core during"
            f" {len(noisy)} of {len(cells)} cells; the ratios, measured in alternating rounds,"
            " hold better than the rates."
        )
    # With our writes, the floor's swaps are accounts and contacts like ours.
    joined = swaps_ok + (floor_swaps_ok if args.floor_writes == "ours" else 0)
    floor_rows = 0 if args.floor_writes == "ours" else floor_swaps_ok
    expected_accounts = seeded["accounts"] + sharers_total + joined
    consistent = (
        counts["accounts"] == expected_accounts
        and counts["contacts"] == seeded["contacts"] + 2 * (joined + prechecks)
        and counts["floor_people"] == counts["floor_contacts"] == floor_rows
    )
    print(
        f"database check: {counts['accounts']} accounts for {expected_accounts} expected,"
        f" {counts['contacts']} contact rows; floor: {counts['floor_people']} people for"
        f" {floor_rows} expected: {'consistent' if consistent else 'MISMATCH'}"
    )
    return 0 if consistent and all(c.errors == 0 for c in cells) else 1


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--duration", type=float, default=3.0, help="measured seconds per round and workload"
    )
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds per round")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per cell")
    parser.add_argument(
        "--concurrency", type=int, nargs="+", default=[32, 64], help="simulated phones"
    )
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="web processes")
    parser.add_argument(
        "--sharers",
        type=int,
        default=2 * CARD_PAGES_KEPT,
        help="sharers whose tokens are used; by default more cards than a web process keeps"
        " rendered (CARD_PAGES_KEPT), as at a big event; 50 for a crowd scanning a few codes",
    )
    parser.add_argument(
        "--pgbouncer",
        action="store_true",
        help="both servers reach PostgreSQL by way of PgBouncer in transaction pooling mode",
    )
    parser.add_argument(
        "--keep-alive",
        action="store_true",
        help="each phone keeps its connection across operations (default: a new one each)",
    )
    parser.add_argument(
        "--floor-writes",
        choices=("two-inserts", "ours"),
        default="two-inserts",
        help="the floor's POST: two inserts (the least a swap must do), or our statement for a"
        " swap in the same bare app (what our web layer costs beyond it)",
    )
    parser.add_argument(
        "--big-event",
        type=int,
        default=0,
        metavar="ATTENDEES",
        help="first fill the database with a conference of this many attendees, as"
        " bench/events.py does (70000: a big one, about 2 minutes)",
    )
    parser.add_argument(
        "--smoke", action="store_true", help="a tiny run (seconds) that checks it still works"
    )
    args = parser.parse_args(argv)
    if args.big_event and args.big_event < BIG_EVENT_LEAST:
        # Fewer cannot make seven two-way swaps each without meeting the same person twice.
        parser.error(f"--big-event: at least {BIG_EVENT_LEAST} attendees")
    if args.smoke:
        args.duration, args.warmup, args.rounds = 0.5, 0.2, 2
        # Four cards: at a smoke run's rate, two reached their 300 new people an hour.
        args.concurrency, args.workers, args.sharers = [4], [1], 4
        args.big_event = BIG_EVENT_LEAST  # the seeding still works too
    return args


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
