"""Swaps under attack: normal swaps while one client floods the server at full speed.

Two phases on one server, in one run: *quiet*, where ``--concurrency`` phones make complete
swaps (as in bench/swap.py: ``GET /c/<token>`` then ``POST /c/<token>/details``, each visitor
a new person from an address of its own) for ``--duration`` seconds; then *flood*, the same
swaps for the same time while one attacker (one account, one address) runs ``--streams``
connections per kind of abuse, each a closed loop with no think time:

* bumps: ``POST /tap/bumps`` with the moment now (outside any event);
* long-polls: ``GET /tap/bumps/<id>?seen=...`` on its own bump, which waits for a change;
* wrong codes: ``POST /tap/code/enter`` with six random digits;
* account creation: ``POST /c/<victim's token>/details`` with a new name each time.

It prints the swaps' rate and p50/p99 latency in each phase, the flood's answers by kind and
status, and whether the aims hold: under the flood, at least half the quiet rate and a p99
under 3x the quiet one. Exit 1 when a normal swap failed or any request got a 5xx.

The addresses are what the server believes from ``X-Forwarded-For`` (uvicorn trusts
loopback: ``FORWARDED_ALLOW_IPS``): visitors 10.x.y.z, the attacker 203.0.113.66.

Run it::

    .venv/bin/python bench/abuse.py                 # 30 s quiet, 30 s flood (about 1.5 min)
    .venv/bin/python bench/abuse.py --duration 10 --workers 2
    .venv/bin/python bench/abuse.py --smoke          # a few seconds: that it still works
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import random
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import httpx
from _http import SAME_ORIGIN, Connection
from _seed import make_sharer, make_sharers
from _server import HOST, bench_database, web_server

OP_TIMEOUT = 30.0  # a long-poll waits up to 20 s
ATTACKER = "203.0.113.66"
AIM_RATE_SHARE, AIM_P99_FACTOR = 0.5, 3.0


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def visitor_address(n: int) -> str:
    return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


@dataclass
class Phase:
    name: str
    latencies_ms: list[float] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0


class Swaps:
    """Complete swaps by new visitors, round-robin over the sharers' tokens."""

    def __init__(self, host_header: str, tokens: list[str]) -> None:
        self.common = f"Host: {host_header}\r\nUser-Agent: reachout-bench\r\n"
        self.tokens = itertools.cycle(tokens)
        self.people = itertools.count(1)
        self.run_id = os.urandom(3).hex()

    async def one(self, conn: Connection) -> str | None:
        """One swap; None when it went as it should, otherwise what went wrong."""
        token, person = next(self.tokens), next(self.people)
        page = await conn.request(
            f"GET /c/{token} HTTP/1.1\r\n{self.common}Accept: text/html\r\n\r\n".encode()
        )
        if page.status != 200:
            return f"GET /c/<token> {page.status}"
        body = urlencode(
            {"name": f"Visitor {self.run_id} {person}", "email": f"v{self.run_id}{person}@e.com"}
        ).encode()
        reply = await conn.request(
            (
                f"POST /c/{token}/details HTTP/1.1\r\n{self.common}Accept: text/html\r\n"
                f"{SAME_ORIGIN}X-Forwarded-For: {visitor_address(person)}\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            ).encode()
            + body
        )
        if reply.status != 303:
            return f"POST /c/<token>/details {reply.status}"
        return None


async def run_swaps(
    port: int, swaps: Swaps, phase: Phase, concurrency: int, seconds: float
) -> None:
    """``concurrency`` phones, one swap after another (a new connection each), for ``seconds``."""
    deadline = time.monotonic() + seconds

    async def phone() -> None:
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                conn = await Connection.open(HOST, port)
                try:
                    failed = await asyncio.wait_for(swaps.one(conn), OP_TIMEOUT)
                finally:
                    conn.close()
            except (OSError, TimeoutError, asyncio.IncompleteReadError) as exc:
                failed = type(exc).__name__
            if failed is None:
                phase.latencies_ms.append((time.perf_counter() - started) * 1000)
            else:
                phase.failures[failed] += 1

    started = time.monotonic()
    await asyncio.gather(*(phone() for _ in range(concurrency)))
    phase.seconds = time.monotonic() - started


class Attacker:
    """One account on one address, flooding four ways at once."""

    def __init__(self, host_header: str, cookies: dict[str, str], victim_token: str) -> None:
        cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
        self.common = (
            f"Host: {host_header}\r\nUser-Agent: reachout-abuse\r\nCookie: {cookie}\r\n"
            f"X-Forwarded-For: {ATTACKER}\r\n"
        )
        self.plain = (
            f"Host: {host_header}\r\nUser-Agent: reachout-abuse\r\nX-Forwarded-For: {ATTACKER}\r\n"
        )
        self.victim = victim_token
        self.answers: Counter[tuple[str, int]] = Counter()
        self.sent: Counter[str] = Counter()
        self.bump: tuple[int, str] | None = None  # a bump of its own, for the long-polls
        self.made = itertools.count(1)

    def _post(self, path: str, fields: dict[str, str], headers: str, accept: str) -> bytes:
        body = urlencode(fields).encode()
        return (
            f"POST {path} HTTP/1.1\r\n{headers}Accept: {accept}\r\n{SAME_ORIGIN}"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body

    async def bumps(self, conn: Connection) -> int:
        raw = self._post(
            "/tap/bumps",
            {"bumped_at": str(round(time.time() * 1000)), "force": "25.0"},
            self.common,
            "application/json",
        )
        reply = await conn.request(raw)
        if reply.status == 200:
            answer = json.loads(reply.body)
            self.bump = (answer["bump_id"], answer["seen"])
        return reply.status

    async def long_polls(self, conn: Connection) -> int:
        if self.bump is None:
            await asyncio.sleep(0.05)
            return 0
        bump_id, seen = self.bump
        reply = await conn.request(
            (
                f"GET /tap/bumps/{bump_id}?{urlencode({'seen': seen})} HTTP/1.1\r\n"
                f"{self.common}Accept: application/json\r\n\r\n"
            ).encode()
        )
        return reply.status

    async def wrong_codes(self, conn: Connection) -> int:
        code = f"{random.randrange(1_000_000):06d}"
        reply = await conn.request(
            self._post("/tap/code/enter", {"code": code}, self.common, "text/html")
        )
        return reply.status

    async def accounts(self, conn: Connection) -> int:
        n = next(self.made)
        fields = {"name": f"Buy Pills {n}", "email": f"pills{n}@spam.example"}
        reply = await conn.request(
            self._post(f"/c/{self.victim}/details", fields, self.plain, "text/html")
        )
        return reply.status

    async def flood(self, port: int, streams: int, stop: asyncio.Event) -> None:
        kinds = {
            "bump": self.bumps,
            "long-poll": self.long_polls,
            "wrong code": self.wrong_codes,
            "new account": self.accounts,
        }

        async def stream(kind: str) -> None:
            conn: Connection | None = None
            while not stop.is_set():
                try:
                    if conn is None or not conn.usable:
                        if conn is not None:
                            conn.close()
                        conn = await Connection.open(HOST, port)
                    if kind != "long-poll" or self.bump is not None:
                        self.sent[kind] += 1
                    status = await asyncio.wait_for(kinds[kind](conn), OP_TIMEOUT)
                except (OSError, TimeoutError, asyncio.IncompleteReadError):
                    status = -1
                    if conn is not None:
                        conn.close()
                    conn = None
                if status:
                    self.answers[(kind, status)] += 1
            if conn is not None:
                conn.close()

        tasks = [asyncio.create_task(stream(kind)) for kind in kinds for _ in range(streams)]
        await stop.wait()
        # The long-polls may still be waiting: their answers no longer matter.
        await asyncio.sleep(0.2)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task


def report(quiet: Phase, flood: Phase, attacker: Attacker, args: argparse.Namespace) -> list[str]:
    lines = [
        "Reachout abuse benchmark: normal swaps while one client floods",
        f"{args.concurrency} phones swapping (closed loop, a new connection per swap);"
        f" {args.duration:g} s quiet, then {args.duration:g} s with the flood;"
        f" {args.workers} web process(es); attacker: one account on one address,"
        f" {args.streams} connection(s) per kind, no think time",
        "",
        f"{'phase':<7} {'swaps':>6} {'swaps/s':>8} {'p50 ms':>8} {'p99 ms':>8}  failures",
    ]
    for phase in (quiet, flood):
        p50, p99 = percentile(phase.latencies_ms, 50), percentile(phase.latencies_ms, 99)
        lines.append(
            f"{phase.name:<7} {len(phase.latencies_ms):>6} {phase.rate:>8.1f}"
            f" {p50:>8.1f} {p99:>8.1f}  {dict(phase.failures) or 'none'}"
        )
    lines.append("")
    lines.append(
        "flood requests (kind: sent, then answers by status; -1 = connection error or timeout;"
        " those still waiting at the end have no answer):"
    )
    for kind in ("bump", "long-poll", "wrong code", "new account"):
        by_status = sorted((s, n) for (k, s), n in attacker.answers.items() if k == kind)
        shown = ", ".join(f"{s}: {n}" for s, n in by_status) or "none"
        lines.append(f"  {kind:<12} {attacker.sent[kind]:>7} sent ({shown})")
    rate_share = flood.rate / quiet.rate if quiet.rate else 0.0
    p99_factor = percentile(flood.latencies_ms, 99) / percentile(quiet.latencies_ms, 99)
    lines.append("")
    lines.append(
        f"aims: rate under flood >= {AIM_RATE_SHARE:.0%} of quiet:"
        f" {'MET' if rate_share >= AIM_RATE_SHARE else 'NOT MET'} ({rate_share:.0%});"
        f" p99 under flood < {AIM_P99_FACTOR:g}x quiet:"
        f" {'MET' if p99_factor < AIM_P99_FACTOR else 'NOT MET'} ({p99_factor:.2f}x)"
    )
    return lines


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def main(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="reachout-abuse-") as tmpdir:
        tmp = Path(tmpdir)
        async with (
            bench_database(tmp / "pg") as database,
            web_server(database.url, tmp, workers=args.workers) as server,
        ):
            log(f"server up: {server.base_url}, {args.workers} web process(es)")
            sharers = await make_sharers(server.base_url, args.sharers)
            victim = await make_sharer(server.base_url, name="Vic Tim", email="vic@example.com")
            attacker_card = await make_sharer(
                server.base_url, name="Mallory Moe", email="mallory@example.com"
            )
            async with httpx.AsyncClient(base_url=server.base_url) as client:
                check = await client.get("/healthz")
                check.raise_for_status()
            host_header = urlsplit(server.base_url).netloc
            swaps = Swaps(host_header, [s.token for s in sharers])
            attacker = Attacker(host_header, attacker_card.cookies, victim.token)

            # A short warm-up, not measured: connections, caches, the pool.
            await run_swaps(server.port, swaps, Phase("warmup"), args.concurrency, args.warmup)
            quiet = Phase("quiet")
            log(f"quiet: {args.duration:g} s of swaps")
            await run_swaps(server.port, swaps, quiet, args.concurrency, args.duration)

            flood = Phase("flood")
            log(f"flood: {args.duration:g} s of swaps while the attacker floods")
            stop = asyncio.Event()
            flooding = asyncio.create_task(attacker.flood(server.port, args.streams, stop))
            await asyncio.sleep(min(1.0, args.duration / 10))  # the flood at full speed first
            await run_swaps(server.port, swaps, flood, args.concurrency, args.duration)
            stop.set()
            await flooding

    print("\n".join(report(quiet, flood, attacker, args)))
    errors = [k for k, s in attacker.answers if s >= 500]
    failed = sum(quiet.failures.values()) + sum(flood.failures.values())
    if failed or errors:
        print(f"FAILED: {failed} normal swap(s) failed; 5xx answers to the flood: {errors}")
        return 1
    if not quiet.latencies_ms or not flood.latencies_ms:
        print("FAILED: no swap completed in a phase")
        return 1
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per phase")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds first")
    parser.add_argument("--concurrency", type=int, default=8, help="phones swapping at once")
    parser.add_argument("--streams", type=int, default=16, help="attacker connections per kind")
    parser.add_argument("--workers", type=int, default=1, help="web processes")
    # Enough cards that the normal swaps of both phases stay under a card's own limit
    # (rates.NEW_PER_LINK: 300 new people an hour): some 20,000 swaps over 200 cards.
    parser.add_argument("--sharers", type=int, default=200, help="cards the swaps are made on")
    parser.add_argument(
        "--smoke", action="store_true", help="a tiny run (seconds) that checks it still works"
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.duration, args.warmup, args.concurrency, args.streams, args.sharers = 2.0, 0.3, 2, 2, 4
    return args


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
