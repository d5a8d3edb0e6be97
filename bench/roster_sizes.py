"""Roster search as you type as an event grows among many cards: what each keystroke costs
at events of 30 to 70,000 people on a server of 200,000 cards, page 1 and "Show more".

roster_page() (sql/logic.sql) reads an event's people in name order from its own attendee
rows (``event_attendees_roster``, migration 0080) or starts from the few cards that match
through a GIN index; this measures it at every size with the same cards, which
bench/events.py (one event holding every card, and one of 30) does not.

What it seeds (set-based SQL on a fresh database, schema from server.db.apply_migrations,
from a fixed random seed; about 26 s for 200,000 cards and the default events on the
2-core development machine: 8 s drawing the people in Python, 14 s the accounts and cards, 4 s
the events and VACUUM (ANALYZE)):

* ``--cards`` accounts (200,000) with cards, bench/events.py's ``make_people``: names from
  first and last name lists, headlines of roles, sectors and companies (a few companies
  large), "looking for" and "can help with" phrases. Accounts by ``INSERT ... SELECT`` from
  ``generate_series``, cards by ``COPY``;
* one event per ``--events`` size (30, 2,000, 5,000, 10,000, 20,000, 70,000 attendee rows),
  each drawn from all the cards (a person may be at several): 92% listed, 3% left, 3
  blocks and 30 connect requests (60% pending, 20% declined, 20% accepted) per 100 rows
  between its people, all by ``INSERT ... SELECT`` from arrays. Then VACUUM (ANALYZE).

What it times, at each event: ``--viewers`` of its people on the roster (20) each type
every string below, one call per keystroke: ``events.roster`` from server.db.Queries with
``events.prefix_query(typed)`` as :query and ``PAGE_SIZE + 1`` as :limit, as the roster page
asks, and, where page 1 was full, "Show more" from its 50th person (the cursor the page
hands on). Each call is one ``fetch`` on a connection from the app's pool (asyncpg's
prepared statement, as the app runs it); wall is the round trip, cpu the PostgreSQL
backend's on-CPU time over the call (``/proc/<pid>/schedstat``: a figure other work on
the machine barely moves, where the wall clock's tail does). Before the clock, two viewers
type everything once (caches and statements warm). The strings, each typed step by step:

* a first name, the most common among the cards ("sofia": s, so, sof, ...);
* "recruiter" (r, re, rec, ...): a role on many headlines;
* the most frequent company's name ("arcbase": a, ar, arc, ...);
* two words: "mar rec", "da fin", "jo ana" (each word common, both together few);
* a rare name, "ueda" (ue, ued, ueda: a last name on one card in 130);
* no search: the roster as it opens.

Printed per event size: for each group, page 1 and "Show more", the calls and p50 / p99 /
max of wall and backend cpu ms, and the slowest string; how many people each string finds
(for one viewer, untimed); the aim; then one line per size with its worst. Checked on every
page: in tier and name order, at most a page and one, never the viewer nor anyone blocked
either way, and "Show more" after page 1's last person with no one on both; and, for one
viewer, "no search" finds exactly the event's listed, present people but them and those
blocked. It exits 1 when a check fails.

Aim (reported, not enforced): each keystroke's p99 under 30 ms, page 1 and "Show more",
at every size.

Run it::

    make bench
    .venv/bin/python bench/roster_sizes.py                   # about three minutes
    .venv/bin/python bench/roster_sizes.py --cards 50000 --events 30,5000,20000
    .venv/bin/python bench/roster_sizes.py --viewers 50      # longer, steadier tails
    DATABASE_URL=postgresql://localhost/postgres .venv/bin/python bench/roster_sizes.py
    .venv/bin/python bench/roster_sizes.py --smoke           # seconds: that it still works
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import random
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from _cpu import CpuMeter
from _seed import insert_accounts, insert_event
from _server import bench_database
from events import SEED, Person, make_people, percentile, typing_steps

from server.db.migrations import apply_migrations
from server.db.pool import create_pool
from server.db.queries import Queries
from server.events import events
from server.web import pages

AIM_P99_MS = 30.0
SEED_TIMEOUT = 900  # seconds a seeding statement may take (the pool's default is 30)
LIMIT = pages.PAGE_SIZE + 1  # the roster asks for one more, to know of a next page
LISTED, LEFT = 0.92, 0.03
BLOCKS_PER_100, REQUESTS_PER_100 = 3, 30
STATUSES = ["pending"] * 6 + ["declined"] * 2 + ["accepted"] * 2
RARE_NAME = "ueda"  # Ueda: one of bench/events.py's last names; no other name starts "ue"
TWO_WORDS = ["mar rec", "da fin", "jo ana"]
WARMUP_VIEWERS = 2
EVERYONE = 1_000_000_000  # a limit no roster reaches: how many a string finds in all
NOISY_OTHER_PERCENT = 20
PAGE_1, SHOW_MORE = "page 1", '"Show more"'


# -- seeding -----------------------------------------------------------------------------


CARD_COLUMNS = [
    "account_id",
    "name",
    "headline",
    "company",
    "email",
    "looking_for",
    "can_help_with",
]


async def seed_cards(conn: Any, people: Sequence[Person]) -> None:
    """An account and a card for each person, the i-th for account i."""
    ids = await insert_accounts(conn, len(people))
    assert ids == list(range(1, len(people) + 1)), "a fresh database numbers accounts from 1"
    await conn.copy_records_to_table(
        "cards",
        columns=CARD_COLUMNS,
        records=[
            (
                i,
                p.name,
                p.headline,
                p.company,
                f"{p.name.lower().replace(' ', '.')}.{i}@example.com",
                p.looking_for,
                p.can_help_with,
            )
            for i, p in enumerate(people, start=1)
        ],
        timeout=SEED_TIMEOUT,
    )


@dataclass(frozen=True)
class Event:
    id: int
    rows: int
    shown: list[int]  # listed and present: on the roster, and the viewers are drawn from them
    blocks: int
    requests: int


def join_code(k: int) -> str:
    alphabet = events.CODE_ALPHABET
    return f"RSZ2{alphabet[k // len(alphabet)]}{alphabet[k % len(alphabet)]}"


def pairs(rng: random.Random, people: Sequence[int], n: int) -> list[tuple[int, int]]:
    """``n`` distinct ordered pairs of two of ``people``, no pair both ways."""
    n = min(n, len(people) * (len(people) - 1) // 2)
    seen: set[tuple[int, int]] = set()
    drawn: list[tuple[int, int]] = []
    while len(drawn) < n:
        a, b = rng.sample(people, 2)
        if (min(a, b), max(a, b)) not in seen:
            seen.add((min(a, b), max(a, b)))
            drawn.append((a, b))
    return drawn


async def seed_event(conn: Any, rng: random.Random, cards: int, rows: int, k: int) -> Event:
    """An event on now with ``rows`` attendee rows drawn from all the cards, and its blocks
    and requests."""
    who = sorted(rng.sample(range(1, cards + 1), rows))
    listed = [rng.random() < LISTED for _ in who]
    left = [rng.random() < LEFT for _ in who]
    now = datetime.now(UTC)
    event_id = await insert_event(
        conn,
        organizer_id=who[0],
        name=f"An event of {rows:,}",
        venue="Hall 1",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=3),
        join_code=join_code(k),
    )
    await conn.execute(
        "INSERT INTO event_attendees (event_id, account_id, listed, left_at)"
        " SELECT $1, a, l, CASE WHEN g THEN now() END"
        " FROM unnest($2::bigint[], $3::boolean[], $4::boolean[]) u(a, l, g)",
        event_id,
        who,
        listed,
        left,
        timeout=SEED_TIMEOUT,
    )
    blocks = max(3, rows * BLOCKS_PER_100 // 100)
    drawn = pairs(rng, who, blocks + max(30, rows * REQUESTS_PER_100 // 100))
    # A pair may be at two events: the first's block or pending request stands.
    blocked = await conn.fetch(
        "INSERT INTO blocks (blocker_id, blocked_id)"
        " SELECT a, b FROM unnest($1::bigint[], $2::bigint[]) u(a, b)"
        " ON CONFLICT DO NOTHING RETURNING 1",
        [a for a, _ in drawn[:blocks]],
        [b for _, b in drawn[:blocks]],
        timeout=SEED_TIMEOUT,
    )
    asked = drawn[blocks:]
    requested = await conn.fetch(
        "INSERT INTO connect_requests (event_id, from_id, to_id, status)"
        " SELECT $1, a, b, s FROM unnest($2::bigint[], $3::bigint[], $4::text[]) u(a, b, s)"
        " ON CONFLICT DO NOTHING RETURNING 1",
        event_id,
        [a for a, _ in asked],
        [b for _, b in asked],
        [rng.choice(STATUSES) for _ in asked],
        timeout=SEED_TIMEOUT,
    )
    shown = [a for a, li, gone in zip(who, listed, left, strict=True) if li and not gone]
    return Event(event_id, rows, shown, len(blocked), len(requested))


# -- what is typed -----------------------------------------------------------------------


def typed_groups(people: Sequence[Person]) -> dict[str, list[str | None]]:
    """Each group's strings, step by step as typed; None is no search."""
    first = Counter(p.first for p in people).most_common(1)[0][0].lower()
    firm = Counter(p.company for p in people if p.company).most_common(1)[0][0]
    firm_word = re.findall(r"[a-z]+", firm.lower())[0]
    return {
        f"first name '{first}'": list(typing_steps(first)),
        "'recruiter'": list(typing_steps("recruiter")),
        f"company '{firm_word}'": list(typing_steps(firm_word)),
        "two words": list(TWO_WORDS),
        f"rare name '{RARE_NAME}'": list(typing_steps(RARE_NAME, 2)),
        "no search": [None],
    }


# -- timing ------------------------------------------------------------------------------


class BackendCpu:
    """On-CPU milliseconds of one PostgreSQL backend (``/proc/<pid>/schedstat``), or None
    where that cannot be read (a server on another machine or in another PID namespace)."""

    def __init__(self, pid: int) -> None:
        self.path = Path(f"/proc/{pid}/schedstat")
        self.readable = self.ms() is not None

    def ms(self) -> float | None:
        try:
            return int(self.path.read_text().split()[0]) / 1e6
        except (OSError, ValueError, IndexError):
            return None


@dataclass
class Calls:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    slowest: tuple[float, str] = (0.0, "")

    def add(self, wall: float, cpu: float | None, typed: str | None) -> None:
        self.wall.append(wall)
        if cpu is not None:
            self.cpu.append(cpu)
        if wall > self.slowest[0]:
            self.slowest = (wall, shown(typed))

    def extend(self, other: Calls) -> None:
        self.wall += other.wall
        self.cpu += other.cpu
        self.slowest = max(self.slowest, other.slowest)

    def figures(self, values: list[float]) -> str:
        if not values:
            return f"{'-':>8} {'-':>6} {'-':>6}"
        p50, p99 = percentile(values, 50), percentile(values, 99)
        return f"{p50:>8.1f} {p99:>6.1f} {max(values):>6.1f}"

    def line(self, label: str, width: int = 28) -> str:
        slowest = f"{self.slowest[1]} {self.slowest[0]:.1f} ms" if self.wall else ""
        return (
            f"{label:<{width}}{len(self.wall):>6}  {self.figures(self.wall)}  "
            f"{self.figures(self.cpu)}  {slowest}"
        ).rstrip()

    def p99(self, values: list[float]) -> float:
        return percentile(values, 99) if values else 0.0


def shown(typed: str | None) -> str:
    return "(none)" if typed is None else repr(typed)


def key(row: Any) -> tuple[int, str, int]:
    """Where a row stands on the roster: tier, name key, account."""
    return (row["tier"], row["name_key"], row["account_id"])


@dataclass
class SizeResult:
    event: Event
    viewers: int
    groups: dict[str, dict[str, Calls]]
    found: dict[str | None, int]
    cpu: dict[str, float]

    def every(self, page: str) -> Calls:
        calls = Calls()
        for group in self.groups.values():
            calls.extend(group[page])
        return calls


class Roster:
    """events.roster on one pooled connection, as the app runs it, with its checks."""

    def __init__(self, conn: Any, sql: Queries, event_id: int, backend: BackendCpu) -> None:
        self.conn, self.sql, self.event_id, self.backend = conn, sql, event_id, backend
        self.query = sql["events.roster"]
        self.problems: list[str] = []

    async def call(
        self, viewer: int, typed: str | None, after: list[str] | None
    ) -> tuple[float, float | None, list[Any]]:
        args = self.sql.args(
            "events.roster",
            {
                "event_id": self.event_id,
                "viewer_id": viewer,
                "query": events.prefix_query(typed) if typed is not None else None,
                "after": after,
                "limit": LIMIT,
            },
        )
        cpu_before = self.backend.ms()
        start = time.perf_counter()
        rows = await self.conn.fetch(self.query, *args)
        wall = 1000 * (time.perf_counter() - start)
        cpu_after = self.backend.ms()
        cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
        return wall, cpu, rows

    async def keystroke(
        self, viewer: int, hidden: set[int], typed: str | None, calls: dict[str, Calls] | None
    ) -> None:
        """Page 1 for ``typed``, and "Show more" when it was full; timed into ``calls``."""
        wall, cpu, first = await self.call(viewer, typed, None)
        if calls is not None:
            calls[PAGE_1].add(wall, cpu, typed)
        self.check(viewer, hidden, typed, first, None)
        if len(first) < LIMIT:
            return
        last = first[pages.PAGE_SIZE - 1]
        after = [str(last["tier"]), last["name_key"], str(last["account_id"])]
        wall, cpu, more = await self.call(viewer, typed, after)
        if calls is not None:
            calls[SHOW_MORE].add(wall, cpu, typed)
        self.check(viewer, hidden, typed, more, first[: pages.PAGE_SIZE])

    def check(
        self,
        viewer: int,
        hidden: set[int],
        typed: str | None,
        rows: list[Any],
        before: list[Any] | None,
    ) -> None:
        where = f"event {self.event_id}, viewer {viewer}, {shown(typed)}"
        where += f", {PAGE_1 if before is None else SHOW_MORE}"
        keys = [key(r) for r in rows]
        if len(rows) > LIMIT:
            self.problems.append(f"{where}: {len(rows)} rows, more than {LIMIT}")
        if any(a >= b for a, b in itertools.pairwise(keys)):
            self.problems.append(f"{where}: not in tier and name order")
        ids = {r["account_id"] for r in rows}
        if viewer in ids:
            self.problems.append(f"{where}: the viewer on their own roster")
        if ids & hidden:
            self.problems.append(f"{where}: someone blocked either way: {sorted(ids & hidden)}")
        if before is not None and rows:
            if keys[0] <= key(before[-1]):
                self.problems.append(f"{where}: does not start after page 1's last person")
            if ids & {r["account_id"] for r in before}:
                self.problems.append(f"{where}: someone on both pages")


async def blocked_either_way(conn: Any, viewer: int) -> set[int]:
    rows = await conn.fetch(
        "SELECT blocked_id FROM blocks WHERE blocker_id = $1"
        " UNION SELECT blocker_id FROM blocks WHERE blocked_id = $1",
        viewer,
    )
    return {r[0] for r in rows}


async def bench_size(
    conn: Any,
    sql: Queries,
    event: Event,
    groups: dict[str, list[str | None]],
    viewers: int,
    backend: BackendCpu,
    meter: CpuMeter,
    problems: list[str],
) -> SizeResult:
    roster = Roster(conn, sql, event.id, backend)
    who = random.Random(SEED + event.rows).sample(event.shown, min(viewers, len(event.shown)))
    hidden = {viewer: await blocked_either_way(conn, viewer) for viewer in who}
    for viewer in who[:WARMUP_VIEWERS]:
        for steps in groups.values():
            for typed in steps:
                await roster.keystroke(viewer, hidden[viewer], typed, None)
    timed = {name: {PAGE_1: Calls(), SHOW_MORE: Calls()} for name in groups}
    start = meter.mark()
    for viewer in who:
        for name, steps in groups.items():
            for typed in steps:
                await roster.keystroke(viewer, hidden[viewer], typed, timed[name])
    cpu = meter.between(start, meter.mark())
    # Untimed: how many each string finds, for the first viewer, and that no search finds
    # exactly those the roster shows them.
    found = {}
    for steps in groups.values():
        for typed in steps:
            found[typed] = await conn.fetchval(
                "SELECT count(*) FROM roster_page($1, $2, $3, NULL, NULL, NULL, $4)",
                event.id,
                who[0],
                events.prefix_query(typed) if typed is not None else None,
                EVERYONE,
                timeout=SEED_TIMEOUT,
            )
    everyone = len(set(event.shown) - {who[0]} - hidden[who[0]])
    if found.get(None) != everyone:
        problems.append(
            f"event of {event.rows:,}: no search found {found.get(None)} for viewer {who[0]},"
            f" not the {everyone} listed, present, unblocked others"
        )
    problems += roster.problems
    return SizeResult(event, len(who), timed, found, cpu)


# -- the report --------------------------------------------------------------------------


def aim(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


def report_size(result: SizeResult, groups: dict[str, list[str | None]], cpu_ok: bool) -> str:
    event = result.event
    out = [
        f"Event of {event.rows:,} attendee rows: {len(event.shown):,} on its roster (listed,"
        f" not left), {event.blocks:,} blocks, {event.requests:,} requests; {result.viewers}"
        " viewers, each typing every string",
        f"{'ms:':<30}{'calls':>6}  {'wall p50':>8} {'p99':>6} {'max':>6}  "
        f"{'cpu p50':>8} {'p99':>6} {'max':>6}  slowest (wall)",
    ]
    for name, steps in groups.items():
        counts = " / ".join(f"{result.found[typed]:,}" for typed in steps)
        typed = ", ".join("(none)" if t is None else t for t in steps)
        out.append(f"  {name}: {typed}  (found {counts})")
        for page in (PAGE_1, SHOW_MORE):
            out.append("    " + result.groups[name][page].line(page, 26))
    first, more = result.every(PAGE_1), result.every(SHOW_MORE)
    out.append("  " + first.line(f"every string, {PAGE_1}"))
    out.append("  " + more.line(f"every string, {SHOW_MORE}"))
    verdict = f"  aim p99 < {AIM_P99_MS:g} ms: " + ", ".join(
        f"{page} {calls.p99(calls.wall):.1f} ms {aim(calls.p99(calls.wall) < AIM_P99_MS)}"
        + (f" (backend cpu {calls.p99(calls.cpu):.1f} ms)" if cpu_ok else "")
        if calls.wall
        else f"no {SHOW_MORE} (page 1 never full)"
        for page, calls in ((PAGE_1, first), (SHOW_MORE, more))
    )
    out.append(verdict)
    out.append(
        f"  cpu while timed, % of one core: bench {result.cpu['bench']:.0f}, PostgreSQL"
        f" {result.cpu['db']:.0f}, other processes {result.cpu['other']:.0f}"
        f" (of {100 * (os.cpu_count() or 1)})"
    )
    return "\n".join(out)


def worst_line(result: SizeResult, cpu_ok: bool) -> str:
    by_page = {page: result.every(page) for page in (PAGE_1, SHOW_MORE)}
    page, slowest = max(by_page.items(), key=lambda item: item[1].slowest)
    p99 = max(calls.p99(calls.wall) for calls in by_page.values())
    line = (
        f"  {result.event.rows:>7,} rows: p99 {p99:5.1f} ms, max {slowest.slowest[0]:6.1f} ms"
        f" ({slowest.slowest[1]}, {page})"
    )
    if cpu_ok:
        cpu_p99 = max(calls.p99(calls.cpu) for calls in by_page.values())
        cpu_max = max(max(calls.cpu, default=0.0) for calls in by_page.values())
        line += f"; backend cpu p99 {cpu_p99:5.1f} ms, max {cpu_max:6.1f} ms"
    return line + f"; aim {aim(p99 < AIM_P99_MS)}"


# -- main --------------------------------------------------------------------------------


async def main(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    load_before = os.getloadavg()
    problems: list[str] = []
    sql = Queries()
    t = time.perf_counter()
    people = make_people(args.cards, random.Random(SEED))
    people_seconds = time.perf_counter() - t
    groups = typed_groups(people)
    results: list[SizeResult] = []
    with tempfile.TemporaryDirectory(prefix="reachout-bench-roster-") as tmpdir:
        async with bench_database(Path(tmpdir) / "pg") as database:
            pool = await create_pool(database.url)
            try:
                async with pool.acquire() as conn:
                    await apply_migrations(conn)
                    t = time.perf_counter()
                    async with conn.transaction():
                        await seed_cards(conn, people)
                    cards_seconds = time.perf_counter() - t
                    rng = random.Random(SEED + 1)
                    seeded = []
                    async with conn.transaction():
                        for k, rows in enumerate(args.events):
                            seeded.append(await seed_event(conn, rng, args.cards, rows, k))
                    await conn.execute("VACUUM (ANALYZE)", timeout=SEED_TIMEOUT)
                    seed_seconds = time.perf_counter() - t
                    facts = await conn.fetchrow(
                        "SELECT pg_size_pretty(pg_total_relation_size('cards')) AS cards_size,"
                        " current_setting('server_version') AS pg,"
                        " current_setting('shared_buffers') AS shared_buffers"
                    )
                    assert facts is not None
                log(
                    f"seeded in {seed_seconds:.1f} s (people drawn in {people_seconds:.1f} s"
                    f" before): {dict(facts)}"
                )
                meter = CpuMeter(None, database.postmaster_pid)
                async with pool.acquire() as conn:
                    backend = BackendCpu(await conn.fetchval("SELECT pg_backend_pid()"))
                    for event in seeded:
                        log(f"timing the event of {event.rows:,}")
                        results.append(
                            await bench_size(
                                conn, sql, event, groups, args.viewers, backend, meter, problems
                            )
                        )
            finally:
                await pool.close()
    load_after = os.getloadavg()

    cpu_ok = backend.readable
    out = [
        "",
        f"Reachout roster sizes benchmark: roster search as you type at events of"
        f" {', '.join(f'{n:,}' for n in args.events)} attendee rows among {args.cards:,} cards",
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, PostgreSQL"
        f" {facts['pg']} (shared_buffers {facts['shared_buffers']}); cards table"
        f" {facts['cards_size']}; {args.cards:,} cards seeded in {cards_seconds:.1f} s, with"
        f" the events and VACUUM (ANALYZE) {seed_seconds:.1f} s (people drawn in"
        f" {people_seconds:.1f} s before)",
        "each call: events.roster with events.prefix_query(typed), one fetch() on a pooled"
        " connection, prepared as the app's; wall: its round trip; cpu: the backend's on-CPU"
        " time over it"
        + ("" if cpu_ok else " (not readable here: the server is not on this machine)"),
        f"load average (1 min) {load_before[0]:.2f} before, {load_after[0]:.2f} after",
    ]
    for result in results:
        out += ["", report_size(result, groups, cpu_ok)]
    out += ["", 'Worst per event size (every call, page 1 and "Show more"; wall unless said)']
    out += [worst_line(result, cpu_ok) for result in results]
    noisy = [r.event.rows for r in results if r.cpu["other"] > NOISY_OTHER_PERCENT]
    if noisy:
        out.append(
            "WARNING: other processes used CPU while timing the events of "
            + ", ".join(f"{n:,}" for n in noisy)
            + " (over 20% of one core), so the wall tails are inflated (the backend cpu much less)"
        )
    out.append(f"total run time {time.perf_counter() - started:.0f} s")
    for problem in problems[:20]:
        out.append(f"CHECK FAILED: {problem}")
    if len(problems) > 20:
        out.append(f"CHECK FAILED: and {len(problems) - 20} more")
    if not problems:
        calls = sum(len(r.every(p).wall) for r in results for p in (PAGE_1, SHOW_MORE))
        out.append(
            f"checks: {calls:,} pages, each in tier and name order, never the viewer nor anyone"
            ' blocked either way, each "Show more" after page 1 with no one on both; no search'
            " finds every listed, present, unblocked person"
        )
    print("\n".join(out), flush=True)
    return 1 if problems else 0


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def sizes(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.replace("_", "").split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from None
    if not values or min(values) < 2:
        raise argparse.ArgumentTypeError("each event needs two people at least")
    return values


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=200_000, help="accounts with cards")
    parser.add_argument(
        "--events",
        type=sizes,
        default=[30, 2_000, 5_000, 10_000, 20_000, 70_000],
        help="attendee rows of each event, comma-separated",
    )
    parser.add_argument(
        "--viewers", type=int, default=20, help="of each event's people, each types every string"
    )
    parser.add_argument(
        "--smoke", action="store_true", help="a tiny run (seconds) that checks it still works"
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.cards, args.events, args.viewers = 2_000, [30, 300], 3
    if max(args.events) > args.cards:
        parser.error(f"an event of {max(args.events):,} among {args.cards:,} cards")
    return args


if __name__ == "__main__":
    import uvloop

    sys.exit(uvloop.run(main(parse_args())))
