"""Swap throughput: complete swaps per second, and their p50/p99 latency, under concurrent phones.

A *complete swap* is what a person with no app does after scanning a QR code:
``GET /c/<token>`` (the sharer's card), then ``POST /c/<token>/details`` with
their name and email, as a browser posts a form (``Sec-Fetch-Site: same-origin``),
answered ``303`` to ``/welcome/<id>`` once their account, card, session and the two-way connection
are stored. The redirect is not followed. Each swap is a new person: a new
cookie jar, a new name and email; the token comes round-robin from a pool of
sharers created through HTTP before any timing.

The load is a closed loop with no think time: N simulated phones each run one
swap after another for a fixed time, so throughput and latency are measured
together (at saturation, latency is roughly N / throughput). Each cell warms up
for ``--warmup`` seconds, then counts the swaps that finish in the next
``--duration`` seconds. ``GET /healthz`` (one query, ``SELECT 1``) is measured
the same way as the baseline: what the server stack does per request with no
application work. The table also says where the CPU went during the measured
window, in percent of one core (the machine has 2): the web processes, the
PostgreSQL processes, and this load generator.

The load generator is this process: a minimal HTTP/1.1 client on asyncio
streams, much leaner than httpx, since it shares the two cores with the server
and the database. By default every swap is a new phone and so a new TCP
connection (its GET and POST share it, as a browser's do), and so is every
healthz request; ``--keep-alive`` lets each simulated phone keep its connection
from one operation to the next instead, as a reverse proxy in front of the app
may (the cookies are still new for every swap).

In a closed loop, Little's law ties the figures together: the mean latency is
the concurrency divided by the rate, so at 64 phones a p99 under 100 ms needs
more than 640 swaps/s.

The server is the real one, ``python -m server web`` with ``WEB_CONCURRENCY`` 1
and then 2 (uvicorn workers), on loopback, against a fresh database on an
embedded PostgreSQL (or on the server in ``DATABASE_URL`` when set).

Run it::

    make bench                         # this, then bench/pageweight.py
    .venv/bin/python bench/swap.py     # about 2 minutes
    .venv/bin/python bench/swap.py --duration 3 --concurrency 64 --workers 2
    .venv/bin/python bench/swap.py --keep-alive
    .venv/bin/python bench/swap.py --smoke     # a few seconds: that it still works

The product's aim: at least 500 swaps/s with p99 under 100 ms at 64 concurrent;
it is reported, not enforced. The script exits 1 only when a request failed or
the database does not hold exactly the accounts and contacts the swaps made.
Other work on the machine skews the figures: the ``other`` column shows it, and
a warning is printed when it passes 20% of a core.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import itertools
import os
import platform
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import asyncpg
import httpx
import psutil
from _http import SAME_ORIGIN, Connection
from _seed import BROWSER_POST, Sharer, make_sharers
from _server import HOST, bench_database, web_server

OP_TIMEOUT = 10.0
NOISY_OTHER_PERCENT = 20
AIM_RATE, AIM_P99_MS, AIM_CONCURRENCY = 500, 100, 64


class HTTPError(Exception):
    """The server answered something a complete swap does not expect."""


class Workload:
    """Builds the raw requests of one operation (a swap, or a healthz check) and checks them."""

    name = ""
    unit = ""

    def __init__(self, host_header: str) -> None:
        self.common = (
            f"Host: {host_header}\r\n"
            "User-Agent: reachout-bench\r\n"
            "Accept-Encoding: gzip\r\n"
            "Accept-Language: en-US,en;q=0.9\r\n"
        )

    async def run(self, conn: Connection) -> None:
        raise NotImplementedError


class Healthz(Workload):
    name = "healthz"
    unit = "req/s"

    def __init__(self, host_header: str) -> None:
        super().__init__(host_header)
        self.raw = (
            f"GET /healthz HTTP/1.1\r\n{self.common}Accept: application/json\r\n\r\n".encode()
        )

    async def run(self, conn: Connection) -> None:
        reply = await conn.request(self.raw)
        if reply.status != 200:
            raise HTTPError(f"GET /healthz answered {reply.status}")


class Swap(Workload):
    name = "swap"
    unit = "swaps/s"

    def __init__(self, host_header: str, tokens: list[str]) -> None:
        super().__init__(host_header)
        self.tokens = itertools.cycle(tokens)
        self.people = itertools.count(1)
        self.run_id = os.urandom(3).hex()

    async def run(self, conn: Connection) -> None:
        token = next(self.tokens)
        person = next(self.people)
        page = await conn.request(
            f"GET /c/{token} HTTP/1.1\r\n{self.common}Accept: text/html\r\n\r\n".encode()
        )
        if page.status != 200:
            raise HTTPError(f"GET /c/<token> answered {page.status}")
        if not conn.usable:
            raise HTTPError("the server closed the connection after the card page")
        body = urlencode(
            {
                "name": f"Visitor {self.run_id} {person}",
                "email": f"visitor-{self.run_id}-{person}@example.com",
                "phone": "",
                "linkedin": "",
                "headline": "",
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
        if "ro_session" not in reply.cookies:
            raise HTTPError("POST /c/<token>/details set no session cookie")


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
        """Percent of one core for each part, and for the whole machine."""
        seconds = end[0] - start[0]

        def delta(before: dict[int, float], after: dict[int, float]) -> float:
            return sum(max(0.0, cpu - before.get(pid, 0.0)) for pid, cpu in after.items())

        parts = {
            "web": 100 * delta(start[1], end[1]) / seconds,
            "db": 100 * delta(start[2], end[2]) / seconds,
            "load": 100 * (end[3] - start[3]) / seconds,
        }
        # Whatever else ran on the machine meanwhile: high values make the figures unreliable.
        parts["other"] = max(0.0, 100 * (end[4] - start[4]) / seconds - sum(parts.values()))
        return parts


@dataclass
class Cell:
    workers: int
    workload: str
    unit: str
    concurrency: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    completed_total: int = 0  # every success, warm-up included (checked against the database)
    first_error: str = ""
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def cpu_ms_per_op(self, part: str) -> float:
        """CPU milliseconds that one operation cost this part (percent of a core / rate * 10)."""
        return 10 * self.cpu.get(part, 0.0) / self.rate if self.latencies else float("nan")

    def percentile(self, q: float) -> float:
        """Nearest-rank percentile in milliseconds."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
        return 1000 * ordered[index]


async def run_cell(
    port: int,
    workload: Workload,
    *,
    workers: int,
    concurrency: int,
    warmup: float,
    duration: float,
    keep_alive: bool,
    meter: CpuMeter,
) -> Cell:
    cell = Cell(workers, workload.name, workload.unit, concurrency, duration)
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
        cell.cpu = CpuMeter.between(first, meter.mark())

    await asyncio.gather(sample_cpu(), *(phone() for _ in range(concurrency)))
    return cell


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
        f"{'web procs':>9}  {'workload':<8} {'concurrent':>10}  {'rate':>9} {'unit':<7}"
        f" {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}   {'cpu% web':>8} {'db':>4} {'load':>4}"
        f" {'other':>5}   {'cpu ms/op web':>13} {'db':>5}"
    )
    rows = [header, "-" * len(header)]
    for c in cells:
        rows.append(
            f"{c.workers:>9}  {c.workload:<8} {c.concurrency:>10}  {c.rate:>9.0f} {c.unit:<7}"
            f" {c.percentile(50):>7.1f} {c.percentile(99):>7.1f} {c.errors:>6}"
            f"   {c.cpu.get('web', 0):>8.0f} {c.cpu.get('db', 0):>4.0f}"
            f" {c.cpu.get('load', 0):>4.0f} {c.cpu.get('other', 0):>5.0f}"
            f"   {c.cpu_ms_per_op('web'):>13.2f} {c.cpu_ms_per_op('db'):>5.2f}"
        )
    return "\n".join(rows)


def verdicts(cells: list[Cell]) -> list[str]:
    lines = []
    for c in cells:
        if c.workload == "swap" and c.concurrency == AIM_CONCURRENCY:
            met = c.rate >= AIM_RATE and c.percentile(99) < AIM_P99_MS
            verdict = "MET" if met else "NOT MET"
            lines.append(
                f"aim (>= {AIM_RATE} swaps/s, p99 < {AIM_P99_MS} ms"
                f" at {AIM_CONCURRENCY} concurrent) with {c.workers} web process(es): {verdict}"
                f" ({c.rate:.0f} swaps/s, p99 {c.percentile(99):.0f} ms)"
            )
    return lines


async def count_rows(database_url: str) -> tuple[int, int]:
    conn = await asyncpg.connect(database_url)
    try:
        accounts = await conn.fetchval("SELECT count(*) FROM accounts")
        contacts = await conn.fetchval("SELECT count(*) FROM contacts")
    finally:
        await conn.close()
    return accounts, contacts


async def main(args: argparse.Namespace) -> int:
    cells: list[Cell] = []
    swaps_ok = 0
    with tempfile.TemporaryDirectory(prefix="reachout-bench-") as tmpdir:
        tmp = Path(tmpdir)
        async with bench_database(tmp / "pg") as database:
            database_url = database.url
            sharers_total = 0
            for workers in args.workers:
                async with web_server(database_url, tmp, workers=workers) as server:
                    log(
                        f"server up: {server.base_url}, {workers} web process(es), pid {server.pid}"
                    )
                    sharers = await make_sharers(server.base_url, args.sharers)
                    await precheck(server.base_url, sharers[0])
                    sharers_total += len(sharers) + 1  # the precheck's visitor too
                    host_header = urlsplit(server.base_url).netloc
                    tokens = [s.token for s in sharers]
                    meter = CpuMeter(server.pid, database.postmaster_pid)
                    for concurrency in args.concurrency:
                        workloads: list[Workload] = [Swap(host_header, tokens)]
                        if not args.no_baseline:
                            workloads.insert(0, Healthz(host_header))
                        for workload in workloads:
                            cell = await run_cell(
                                server.port,
                                workload,
                                workers=workers,
                                concurrency=concurrency,
                                warmup=args.warmup,
                                duration=args.duration,
                                keep_alive=args.keep_alive,
                                meter=meter,
                            )
                            if cell.workload == "swap":
                                swaps_ok += cell.completed_total
                            cells.append(cell)
                            log(
                                f"  {workers} proc  {cell.workload:<7} x{concurrency:<4}"
                                f" {cell.rate:7.0f} {cell.unit:<7}"
                                f" p50 {cell.percentile(50):6.1f} ms"
                                f"  p99 {cell.percentile(99):6.1f} ms  errors {cell.errors}"
                                + (f" (first: {cell.first_error})" if cell.first_error else "")
                            )
                            await asyncio.sleep(0.5)  # let connections close between cells
            accounts, contacts = await count_rows(database_url)

    conn_model = (
        "keep-alive, each phone keeps its connection across operations (new cookies per swap)"
        if args.keep_alive
        else "a new TCP connection per swap (GET and POST share it) and per healthz request"
    )
    print()
    print("Reachout swap benchmark")
    print(
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, uvicorn with"
        f" {server_stack()}; server, PostgreSQL and load generator all on this machine, loopback"
    )
    print(
        f"closed loop, no think time; {args.warmup:g} s warm-up then {args.duration:g} s measured"
        f" per cell; connections: {conn_model}"
    )
    print(
        "swap = GET /c/<token> + POST /c/<token>/details (303, redirect not followed);"
        " healthz = one GET /healthz"
    )
    print(
        "cpu% = percent of one core in the measured window, by the web processes, PostgreSQL,"
        " this load generator, and anything else on the machine (2 cores = 200);"
        " cpu ms/op = CPU time one swap (or healthz request) cost the web processes and PostgreSQL"
    )
    print()
    print(table(cells))
    print()
    for line in verdicts(cells):
        print(line)
    noisy = [c for c in cells if c.cpu.get("other", 0) > NOISY_OTHER_PERCENT]
    if noisy:
        worst = max(c.cpu["other"] for c in noisy)
        print(
            f"WARNING: other processes on the machine used up to {worst:.0f}% of a core during"
            f" {len(noisy)} of {len(cells)} cells, so those figures are low;"
            " run again on a quiet machine."
        )
    expected_accounts = sharers_total + swaps_ok
    consistent = accounts == expected_accounts and contacts == 2 * (swaps_ok + len(args.workers))
    print(
        f"database check: {accounts} accounts for {expected_accounts} expected,"
        f" {contacts} contact rows: {'consistent' if consistent else 'MISMATCH'}"
    )
    return 0 if consistent and all(c.errors == 0 for c in cells) else 1


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=6.0, help="measured seconds per cell")
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds per cell")
    parser.add_argument(
        "--concurrency", type=int, nargs="+", default=[16, 64, 256], help="simulated phones"
    )
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="web processes")
    parser.add_argument("--sharers", type=int, default=50, help="sharers whose tokens are used")
    parser.add_argument(
        "--keep-alive",
        action="store_true",
        help="each phone keeps its connection across operations (default: a new one per swap)",
    )
    parser.add_argument("--no-baseline", action="store_true", help="skip the GET /healthz cells")
    parser.add_argument(
        "--smoke", action="store_true", help="a tiny run (seconds) that checks it still works"
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.duration, args.warmup, args.concurrency, args.workers = 1.0, 0.2, [4], [1]
        args.sharers = 2
    return args


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
