"""Bump to swap at a crowded event: 1,000 phones bump in pairs over a minute, on the real server.

What it seeds (SQL on a fresh database, schema from server.db.apply_migrations):
1,000 accounts with cards ("Attendee 0001" ..., so a partner's name tells who it
is), a session each (the cookie made here, its SHA-256 in ``sessions``), one
event on now with all of them attending. Each phone posts as a browser on the page
does (``Sec-Fetch-Site: same-origin``).

The server is the real one, ``python -m server web`` with ``--workers`` uvicorn
processes (2 by default, the machine's cores), over HTTP on loopback.

What each simulated phone does, as web/static/tap.js does it:

* its wall clock (``Date.now()``, whole ms) is off from the server's: normal with
  sigma 2 s, and 3% of phones are 1 to 15 minutes off (set by hand); it drifts by
  up to +-20 ppm;
* "Turn on bump" 3 to 20 s before its first bump: it estimates its offset from 5
  ``GET /tap/clock`` in a row, keeping the sample with the lowest round trip
  (offset = server now - (sent + received) / 2), and again every 30 s while the
  Tap screen is open;
* every request goes over venue Wi-Fi: each phone has its own base delay for the
  uplink and for the downlink (5 to 30 ms each, drawn separately, so the two
  directions differ and the clock estimate has an error NTP cannot see), plus an
  exponential jitter (mean 8 ms) each way and each request, plus, 1% of the time
  in each direction, a stall of 100 to 300 ms (retransmissions, roaming). The
  delays are ``asyncio.sleep`` here before sending and after receiving, so the
  server sees the true arrival time;
* the two phones of a pair feel the impact at the same true instant. The impact's
  force is lognormal (median 25 m/s2, sigma 0.25); each phone reads it times its
  own factor (mass and sensor, log-uniform 0.8 to 1.25) times a sampling error
  (lognormal, sigma 0.1: where its sample falls on the pulse), at its next
  DeviceMotion sample (60 Hz, each phone its own phase, so 0 to 16.7 ms later). A
  reading under tap.js's threshold (15 m/s2) is not a bump: that phone posts
  nothing. Otherwise it posts ``bumped_at`` = its clock then + its estimated offset,
  and ``force`` (``POST /tap/bumps``, ``Accept: application/json``, the answer being
  paired / ambiguous / unmatched with the partner's name);
* both "Swap with ...?" with each other's name: each person taps Swap 0.5 to 2 s
  later (``POST .../confirm``); the pair is done when one answer says swapped
  ("by the rule").
  A wrong name: that person taps "Not them" (``POST .../decline``). The right name
  on one phone only: 0.5 to 2 s later that person looks at what the page shows now
  (``GET /tap/bumps/{id}``, as its long poll would have brought it).
* "Several phones bumped at once" (ambiguous; also what a Swap tap, a "Not them" or
  that look may answer when a pair was retracted): the answer's ``choices`` list
  ("Or pick who you bumped"). The person reads it for 1 to 2.5 s; if the partner's
  name is there they tap it (``POST .../choose``, ``choice`` = its bump id). An
  answer saying swapped ends it ("by picking"); otherwise they wait on the long poll
  (``GET /tap/bumps/{id}?seen=...``) for the partner to pick them back, up to 8 s.
  The partner not listed, the wait run out, or the partner's wanting to bump again
  (the two talk: either one's giving up stops the other's wait): bump again.
* anything else (nobody bumped back, a phone that felt nothing, a pair retracted
  and not picked): the two people bump again 1 to 3 s after the later of their
  answers, up to ``--attempts`` bumps in all.

The first bumps of the ``--pairs`` pairs fall uniformly (a Poisson process) over
``--duration`` seconds; retries come on top. Every attempt is recorded.

It prints the share of phones that ended swapped with their true partner, by the
rule and by picking, wrong pairs (a phone told "Swap with X?" for anyone but its
partner, and swaps in the database between people who are not partners), who was
still unswapped after the last try, the share of pairs right on the first bump,
attempts per pair; what the lists held and what people did with them (and any
answer not as the API says, "ODD"); p50/p95/p99 from the impact to each phone's
first useful prompt (the right "Swap with ...?", or a list with the partner in it;
received, after the downlink), from that bump's impact and from the pair's first,
and from the first impact to the first answer saying swapped; the old figure
(impact to "Swap with ...?" on both phones) with the server's part of it; then how
the clocks did, and
how crowded the minute was for the pairing rule at other tolerances (computed from
this run's reports). The CPU of the web processes, PostgreSQL and this process is
measured over the bumping, and the sessions waiting on the event's pairing lock (an
advisory lock: one bump at a time per event scope) are sampled every 100 ms.

Not modelled: connection set-up (a phone on the Tap screen keeps its connection;
here a new loopback connection is opened when the server's 5 s keep-alive ran
out, at no simulated cost), lost requests, and htmx's HTML answers (JSON is
asked for instead; the server does the same work apart from the template).

Aim (from the issue, reported, not enforced): at least 99.9% correct (swapped with
the true partner, either way), no wrong pair (shown or swapped), p99 impact to the
first useful prompt under 300 ms on this machine. It exits 1 when a request failed
unexpectedly or the database connected anyone to someone other than their
partner.

Run it::

    make bench
    .venv/bin/python bench/bump.py                    # about two minutes
    .venv/bin/python bench/bump.py --pairs 100 --duration 20 --seed 2
    .venv/bin/python bench/bump.py --smoke             # a few seconds: that it still works
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import json
import math
import os
import platform
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import asyncpg
import psutil
from _cpu import CpuMeter, cpu_seconds
from _http import SAME_ORIGIN, Connection, Reply
from _seed import insert_accounts, insert_event, insert_sessions
from _server import HOST, bench_database, web_server

from server.db.migrations import apply_migrations
from server.tap import bump_pairing

# tap.js
THRESHOLD = 15.0  # m/s2
SYNC_SAMPLES = 5
RESYNC_S = 30.0
SAMPLE_PERIOD_MS = 1000 / 60

# The model (see the docstring).
CLOCK_SIGMA_MS = 2000.0
FAR_OFF_SHARE, FAR_OFF_MINUTES = 0.03, (1.0, 15.0)
DRIFT_PPM = 20.0
NET_BASE_MS = (5.0, 30.0)
NET_JITTER_MEAN_MS = 8.0
NET_STALL_SHARE, NET_STALL_MS = 0.01, (100.0, 300.0)
FORCE_MEDIAN, FORCE_SIGMA = 25.0, 0.25
PHONE_FACTOR = (0.8, 1.25)
SAMPLING_SIGMA = 0.1
ARM_BEFORE_S = (3.0, 20.0)
CONFIRM_AFTER_S = (0.5, 2.0)
READ_CHOICES_S = (1.0, 2.5)  # reading "Or pick who you bumped" before tapping a name
CHOICE_WAIT_S = 8.0  # how long someone who picked waits for the other to pick them back
RETRY_AFTER_S = (1.0, 3.0)
LEAD_S = 5.0  # the first bumps start this long after the phones start arming (--smoke: 1)

AIM_CORRECT, AIM_P99_MS = 99.9, 300.0
KEEP_ALIVE_S = 4.0  # uvicorn closes an idle connection after 5 s
REQUEST_TIMEOUT_S = 15.0
NOISY_OTHER_PERCENT = 20
TOLERANCES = (120, 90, 60, 45, 30)
EVENT_CODE = "BMP234"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class RequestFailed(Exception):
    """An answer the phone does not expect (not a bump's outcome)."""


@dataclass
class Report:
    """One phone's side of one attempt."""

    pair: int
    attempt: int
    phone: int
    impact_ms: float  # the true instant (server clock)
    felt: bool
    force: float = 0.0
    detected_ms: float = 0.0  # true instant its handler ran
    late_ms: float = 0.0  # how late this process woke for it (event-loop lag)
    bumped_at: float = 0.0  # what it reported, in server time by its estimate
    state: str = "not felt"
    partner_name: str | None = None
    bump_id: int | None = None
    answered_ms: float = 0.0  # true instant the answer reached the phone
    reached_ms: float = 0.0  # true instant the request reached the server
    left_ms: float = 0.0  # true instant the answer left it
    answer: dict[str, Any] | None = None  # the JSON answer as the phone got it
    useful: bool = False  # the right "Swap with ...?", or the partner in "Or pick who you bumped"

    @property
    def choices(self) -> list[dict[str, Any]]:
        return list((self.answer or {}).get("choices") or [])

    @property
    def server_ms(self) -> float:
        return self.left_ms - self.reached_ms


@dataclass
class Stats:
    reports: list[Report] = field(default_factory=list)
    outcome: dict[int, int] = field(default_factory=dict)  # pair -> attempt that swapped
    wrong: list[tuple[Report, str]] = field(default_factory=list)
    retracted: int = 0  # both shown the right name, then retracted before both said yes
    one_sided: int = 0  # one side shown the right name, the other side something else
    path: dict[int, str] = field(default_factory=dict)  # pair -> "rule" or "pick"
    swap_ms: dict[int, tuple[float, float]] = field(default_factory=dict)  # pair -> (from the
    # first bump's impact, from the swapping bump's impact) to the first answer saying swapped
    picking: Counter[str] = field(default_factory=Counter)  # what happened to "pick who"
    odd: Counter[str] = field(default_factory=Counter)  # answers not as the API says
    syncs: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    estimate_errors: list[float] = field(default_factory=list)  # ms, at each sync


class Phone:
    """One simulated phone: its clock, its network, its sensor, its HTTP connections."""

    def __init__(
        self,
        index: int,
        person: tuple[int, str, str],
        server: tuple[str, int],
        seed: int,
    ) -> None:
        self.index = index
        self.account_id, self.name, session = person
        self.rng = random.Random(f"phone-{index}-{seed}")
        rng = self.rng
        if rng.random() < FAR_OFF_SHARE:
            minutes = rng.uniform(*FAR_OFF_MINUTES)
            self.clock_off_ms = rng.choice((-1, 1)) * minutes * 60_000
        else:
            self.clock_off_ms = rng.gauss(0, CLOCK_SIGMA_MS)
        self.drift = rng.uniform(-DRIFT_PPM, DRIFT_PPM) * 1e-6
        self.up_ms = rng.uniform(*NET_BASE_MS)
        self.down_ms = rng.uniform(*NET_BASE_MS)
        self.factor = math.exp(rng.uniform(math.log(PHONE_FACTOR[0]), math.log(PHONE_FACTOR[1])))
        self.phase_ms = rng.uniform(0, SAMPLE_PERIOD_MS)
        self.offset_ms = 0.0  # tap.js: 0 until the first sync
        self.host, self.port = server
        self.cookie = f"Cookie: ro_session={session}\r\n"
        self.idle: list[tuple[Connection, float]] = []
        self.resync: asyncio.Task[None] | None = None
        self.started_ms = time.time() * 1000

    # -- the phone's clock and network ------------------------------------------------

    def clock(self, at_ms: float | None = None) -> float:
        """``Date.now()`` (now, or at the true instant ``at_ms``): whole ms, off and drifting."""
        now = time.time() * 1000 if at_ms is None else at_ms
        return math.floor(now + self.clock_off_ms + self.drift * (now - self.started_ms))

    def delay_s(self, base_ms: float) -> float:
        ms = base_ms + self.rng.expovariate(1 / NET_JITTER_MEAN_MS)
        if self.rng.random() < NET_STALL_SHARE:
            ms += self.rng.uniform(*NET_STALL_MS)
        return ms / 1000

    async def _connection(self) -> tuple[Connection, bool]:
        while self.idle:
            conn, since = self.idle.pop()
            if conn.usable and time.monotonic() - since < KEEP_ALIVE_S:
                return conn, True
            conn.close()
        return await Connection.open(self.host, self.port), False

    async def _send(self, raw: bytes) -> Reply:
        for _ in range(2):
            conn, reused = await self._connection()
            try:
                reply = await conn.request(raw)
            except (OSError, asyncio.IncompleteReadError):
                conn.close()
                if reused:  # the server closed it meanwhile: as a browser does, once more
                    continue
                raise
            except BaseException:
                conn.close()
                raise
            if conn.usable:
                self.idle.append((conn, time.monotonic()))
            else:
                conn.close()
            return reply
        raise RequestFailed("the connection kept closing")

    async def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[Reply, float, float]:
        """Over the simulated Wi-Fi: uplink, the real request, downlink. Returns the answer
        and the true instants (ms) the request reached the server and the answer left it."""
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"User-Agent: reachout-bench\r\nAccept: application/json\r\n{self.cookie}"
        )
        if form is None:
            raw = f"{head}\r\n".encode()
        else:
            body = urlencode(form).encode()
            raw = (
                f"{head}{SAME_ORIGIN}"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            ).encode() + body
        await asyncio.sleep(self.delay_s(self.up_ms))
        reached = time.time() * 1000
        async with asyncio.timeout(REQUEST_TIMEOUT_S):
            reply = await self._send(raw)
        left = time.time() * 1000
        await asyncio.sleep(self.delay_s(self.down_ms))
        return reply, reached, left

    def close(self) -> None:
        if self.resync is not None:
            self.resync.cancel()
        for conn, _ in self.idle:
            conn.close()
        self.idle.clear()

    # -- what tap.js does -------------------------------------------------------------

    async def sync_clock(self, stats: Stats) -> None:
        best: tuple[float, float] | None = None
        for _ in range(SYNC_SAMPLES):
            sent = self.clock()
            reply, _, _ = await self.request("GET", "/tap/clock")
            received = self.clock()
            if reply.status != 200:
                raise RequestFailed(f"GET /tap/clock answered {reply.status}")
            trip = received - sent
            offset = json.loads(reply.body)["now"] - (sent + received) / 2
            if best is None or trip < best[0]:
                best = (trip, offset)
        assert best is not None
        self.offset_ms = best[1]
        stats.syncs += 1
        stats.estimate_errors.append(self.clock() + self.offset_ms - time.time() * 1000)

    async def arm(self, at_ms: float, stats: Stats) -> None:
        """ "Turn on bump" at ``at_ms``: sync then and every 30 s (tap.js's setInterval)."""
        await sleep_until(at_ms)
        while True:
            try:
                await self.sync_clock(stats)
            except (OSError, TimeoutError, RequestFailed, ValueError) as exc:
                stats.errors[f"clock sync: {type(exc).__name__}: {exc}"] += 1
            await asyncio.sleep(RESYNC_S)

    async def bump(self, report: Report, impact_force: float) -> Report:
        """Feel the impact at the next sample; if it is a bump, post it and read the answer."""
        wait = (self.phase_ms - report.impact_ms) % SAMPLE_PERIOD_MS
        force = impact_force * self.factor * math.exp(self.rng.gauss(0, SAMPLING_SIGMA))
        report.force = round(force, 1)
        if force < THRESHOLD:
            return report
        report.felt = True
        report.detected_ms = report.impact_ms + wait
        await sleep_until(report.detected_ms)
        # Date.now() at the sample: a phone's own CPU runs its handler; this process's lag
        # (one loop for every phone) only delays the sending, as a busy phone's would.
        report.late_ms = time.time() * 1000 - report.detected_ms
        report.bumped_at = round(self.clock(report.detected_ms) + self.offset_ms)
        reply, report.reached_ms, report.left_ms = await self.request(
            "POST",
            "/tap/bumps",
            {"bumped_at": str(report.bumped_at), "force": f"{report.force:.1f}"},
        )
        report.answered_ms = time.time() * 1000
        if reply.status == 422:
            report.state = "rejected"
            return report
        if reply.status != 200:
            raise RequestFailed(f"POST /tap/bumps answered {reply.status}: {reply.body[:200]!r}")
        answer = json.loads(reply.body)
        report.answer = answer
        report.state = answer["state"]
        report.partner_name = answer.get("partner_name")
        report.bump_id = answer.get("bump_id")
        return report

    @staticmethod
    def _view(reply: Reply, what: str) -> dict[str, Any]:
        """A JSON answer about one bump, with the true instant it reached the phone."""
        if reply.status != 200:
            raise RequestFailed(f"{what} answered {reply.status}: {reply.body[:200]!r}")
        view: dict[str, Any] = json.loads(reply.body)
        view["received_ms"] = time.time() * 1000
        return view

    async def answer(self, bump_id: int, verb: str, after_s: float) -> dict[str, Any]:
        """Tap Swap (confirm) or Not them (decline) ``after_s`` after seeing the name."""
        await asyncio.sleep(after_s)
        reply, _, _ = await self.request("POST", f"/tap/bumps/{bump_id}/{verb}", {})
        return self._view(reply, f"POST /tap/bumps/<id>/{verb}")

    async def choose(self, bump_id: int, choice: int) -> dict[str, Any] | None:
        """Tap a name in "Or pick who you bumped"; None when the server refuses it (409)."""
        reply, _, _ = await self.request(
            "POST", f"/tap/bumps/{bump_id}/choose", {"choice": str(choice)}
        )
        if reply.status == 409:
            return None
        return self._view(reply, "POST /tap/bumps/<id>/choose")

    async def status(self, bump_id: int, seen: str | None = None) -> dict[str, Any]:
        """The bump as the page shows it; with ``seen``, the long poll (until it changes)."""
        path = f"/tap/bumps/{bump_id}" + ("" if seen is None else f"?{urlencode({'seen': seen})}")
        reply, _, _ = await self.request("GET", path)
        return self._view(reply, "GET /tap/bumps/<id>")


async def sleep_until(at_ms: float) -> None:
    await asyncio.sleep(max(0.0, at_ms / 1000 - time.time()))


def wrong_cause(mine: Report, partner: Report) -> str:
    """Why the rule could not see that ``mine`` had a true partner."""
    if not partner.felt:
        return "the partner's phone felt nothing"
    if partner.state == "rejected":
        return "the partner's bump was refused (clock)"
    if abs(partner.bumped_at - mine.bumped_at) > bump_pairing.TOLERANCE_MS:
        return "the partner's bumped_at was further than TOLERANCE_MS"
    if not alike_force(mine.force, partner.force, bump_pairing.FORCE_RATIO):
        return "the two forces were more than FORCE_RATIO apart"
    if partner.reached_ms > mine.left_ms:
        return "the partner's report reached the server after the answer left"
    # SETTLE_MS counts from the later bumped_at, not from when the server got to it.
    return "the partner's report was at the server, not yet recorded, when the pair was announced"


async def wait_for_pick(
    phone: Phone, bump_id: int, seen: str, until: float, again: asyncio.Event, stats: Stats
) -> dict[str, Any] | None:
    """Having picked: long-poll (``seen``) until swapped, the wait runs out, or ``again``."""
    while not again.is_set():
        left = until - time.monotonic()
        if left <= 0:
            stats.picking["waited in vain"] += 1
            return None
        poll = asyncio.ensure_future(phone.status(bump_id, seen))
        stop = asyncio.ensure_future(again.wait())
        try:
            done, _ = await asyncio.wait(
                {poll, stop}, timeout=left, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            stop.cancel()
            if not poll.done():
                poll.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await poll
        if poll not in done:
            continue
        view = poll.result()
        if view["state"] == "swapped":
            stats.picking["swapped when the other picked back"] += 1
            return view
        if view["state"] != "ambiguous":
            stats.odd[f"the long poll after a pick answered {view['state']}"] += 1
            return None
        if view["seen"] == seen:
            stats.odd["the long poll answered with nothing changed"] += 1
        seen = view["seen"]
    stats.picking["stopped waiting: the other bumped again"] += 1
    return None


async def pick(
    phone: Phone,
    bump_id: int | None,
    view: dict[str, Any] | None,
    partner: str,
    read_s: float,
    again: asyncio.Event,
    stats: Stats,
) -> dict[str, Any] | None:
    """ "Or pick who you bumped": read the list, tap the partner's name if it is there, and
    wait for them to tap mine. The swapped answer, or None to bump again (which tells the
    partner, through ``again``, to stop waiting)."""
    swapped = None
    try:
        if bump_id is None or view is None or view.get("state") != "ambiguous":
            return None
        await asyncio.sleep(read_s)
        if again.is_set():
            stats.picking["did not pick: the other bumped again"] += 1
            return None
        listed = [c["bump_id"] for c in view.get("choices") or [] if c.get("name") == partner]
        if not listed:
            stats.picking["did not pick: the partner not listed"] += 1
            return None
        stats.picking["picked the partner"] += 1
        answer = await phone.choose(bump_id, listed[0])
        if answer is None:
            stats.picking["pick refused (409)"] += 1
            now = await phone.status(bump_id)  # why: what the page would show now
            names = [c.get("name") for c in now.get("choices") or []]
            why = (
                f"my bump now {now['state']}"
                if now["state"] != "ambiguous"
                else "partner still listed"
                if partner in names
                else f"partner no longer listed (list of {len(names)})"
            )
            stats.odd[f"pick refused (409): {why}"] += 1
            return None
        if answer["state"] == "swapped":
            stats.picking["swapped at once (the other had picked me)"] += 1
            swapped = answer
            return swapped
        if answer["state"] != "ambiguous" or answer.get("chosen") != listed[0]:
            stats.odd[
                f"choose answered {answer['state']}, chosen {answer.get('chosen')!r}"
                " (not ambiguous with my pick)"
            ] += 1
        swapped = await wait_for_pick(
            phone, bump_id, answer["seen"], time.monotonic() + CHOICE_WAIT_S, again, stats
        )
        return swapped
    finally:
        if swapped is None:
            again.set()


async def side(
    phone: Phone,
    mine: Report,
    partner: Report,
    other: Phone,
    rng_draws: tuple[float, float],
    again: asyncio.Event,
    stats: Stats,
) -> dict[str, Any] | None:
    """One person after an answer that is not the right pair on both phones."""
    tap_s, read_s = rng_draws
    view = mine.answer
    if mine.state == "paired" and mine.bump_id is not None:
        if mine.partner_name != other.name:
            stats.wrong.append((mine, wrong_cause(mine, partner)))
            view = await phone.answer(mine.bump_id, "decline", tap_s)
        else:
            # "Swap with <partner>?" here, something else on theirs: by the time this person
            # looks, the page (its long poll) shows what the bump is now.
            stats.one_sided += 1
            await asyncio.sleep(tap_s)
            view = await phone.status(mine.bump_id)
            read_s = 0.0 if view["state"] != "ambiguous" else read_s
    return await pick(phone, mine.bump_id, view, other.name, read_s, again, stats)


async def as_is(view: dict[str, Any]) -> dict[str, Any]:
    return view


def listed(report: Report, name: str) -> bool:
    return any(c.get("name") == name for c in report.choices)


def check_choices(mine: Report, partner: Report, me: Phone, other: Phone, stats: Stats) -> None:
    """Tallies of the ambiguous answers' lists, and answers not as the API says."""
    if mine.answer is None:
        return
    if mine.state != "ambiguous":
        if mine.choices:
            stats.odd[f"choices on a {mine.state} answer"] += 1
        return
    if "choices" not in mine.answer:
        stats.odd["ambiguous answer without choices"] += 1
    names = [c.get("name") for c in mine.choices]
    stats.picking[f"lists of {len(names)}"] += 1
    if me.name in names:
        stats.odd["my own name in my choices"] += 1
    if len(set(names)) != len(names):
        stats.odd["a name twice in the choices"] += 1
    if other.name in names:
        stats.picking["ambiguous, partner listed"] += 1
    elif partner.felt and partner.reached_ms > mine.left_ms:
        # The list is made when the answer is: a partner's report still on its way is not in it.
        stats.picking["ambiguous, partner not listed: their report came after my answer"] += 1
    elif partner.state == "ambiguous" and listed(partner, me.name):
        stats.picking["ambiguous, partner not listed though they list me"] += 1
    elif partner.state == "ambiguous":
        stats.picking["ambiguous, partner not listed, both ambiguous"] += 1
    else:
        stats.picking[f"ambiguous, partner not listed (theirs {partner.state})"] += 1


def swap_moment(
    views: Sequence[dict[str, Any] | None], names: tuple[str, str], stats: Stats
) -> float | None:
    """The first instant an answer said swapped, checking who it names."""
    moments = []
    for view, name in zip(views, names, strict=True):
        if view is not None and view.get("state") == "swapped":
            moments.append(view["received_ms"])
            if view.get("partner_name") != name:
                stats.odd[f"swapped, naming {view.get('partner_name')!r}, not the partner"] += 1
    return min(moments, default=None)


async def run_pair(
    k: int,
    a: Phone,
    b: Phone,
    first_ms: float,
    args: argparse.Namespace,
    rng: random.Random,
    stats: Stats,
) -> None:
    phones = (a, b)
    try:
        for phone in phones:
            arm_at = first_ms - 1000 * rng.uniform(*ARM_BEFORE_S)
            phone.resync = asyncio.create_task(phone.arm(arm_at, stats))
        impact_ms = first_ms
        for attempt in range(1, args.attempts + 1):
            await sleep_until(impact_ms)
            force = rng.lognormvariate(math.log(FORCE_MEDIAN), FORCE_SIGMA)
            sides = [Report(k, attempt, p.index, impact_ms, felt=False) for p in phones]
            ra, rb = await asyncio.gather(a.bump(sides[0], force), b.bump(sides[1], force))
            stats.reports += [ra, rb]
            for mine, partner, me, other in ((ra, rb, a, b), (rb, ra, b, a)):
                mine.useful = (mine.state == "paired" and mine.partner_name == other.name) or (
                    mine.state == "ambiguous" and listed(mine, other.name)
                )
                check_choices(mine, partner, me, other, stats)
            draws = [(rng.uniform(*CONFIRM_AFTER_S), rng.uniform(*READ_CHOICES_S)) for _ in phones]
            right = (
                ra.state == "paired"
                and rb.state == "paired"
                and ra.partner_name == b.name
                and rb.partner_name == a.name
            )
            again = asyncio.Event()
            if right:
                assert ra.bump_id is not None and rb.bump_id is not None
                answers = await asyncio.gather(
                    a.answer(ra.bump_id, "confirm", draws[0][0]),
                    b.answer(rb.bump_id, "confirm", draws[1][0]),
                )
                moment = swap_moment(answers, (b.name, a.name), stats)
                if moment is not None:
                    stats.outcome[k], stats.path[k] = attempt, "rule"
                    stats.swap_ms[k] = (moment - first_ms, moment - impact_ms)
                    return
                # Retracted before both said yes: what the page shows now (the Swap tap's
                # answer, or, for one who said yes first, what its long poll brings).
                stats.retracted += 1
                views = await asyncio.gather(
                    *(
                        phone.status(bump_id) if view["state"] == "confirmed" else as_is(view)
                        for phone, bump_id, view in (
                            (a, ra.bump_id, answers[0]),
                            (b, rb.bump_id, answers[1]),
                        )
                    )
                )
                picked = await asyncio.gather(
                    pick(a, ra.bump_id, views[0], b.name, draws[0][1], again, stats),
                    pick(b, rb.bump_id, views[1], a.name, draws[1][1], again, stats),
                )
            else:
                picked = await asyncio.gather(
                    side(a, ra, rb, b, draws[0], again, stats),
                    side(b, rb, ra, a, draws[1], again, stats),
                )
            moment = swap_moment(picked, (b.name, a.name), stats)
            if moment is not None:
                stats.outcome[k], stats.path[k] = attempt, "pick"
                stats.swap_ms[k] = (moment - first_ms, moment - impact_ms)
                return
            impact_ms = max(ra.answered_ms, rb.answered_ms, time.time() * 1000)
            impact_ms += 1000 * rng.uniform(*RETRY_AFTER_S)
    except (OSError, TimeoutError, RequestFailed, ValueError, KeyError) as exc:
        stats.errors[f"pair: {type(exc).__name__}: {exc}"] += 1
    finally:
        for phone in phones:
            phone.close()


# -- seeding ------------------------------------------------------------------------------


async def seed(database_url: str, n: int) -> list[tuple[int, str, str]]:
    """``n`` attendees of one event on now; returns (account id, name, session cookie)."""
    conn = await asyncpg.connect(database_url)
    try:
        await apply_migrations(conn)
        now = datetime.now(UTC)
        async with conn.transaction():
            ids = await insert_accounts(conn, n, ["Europe/Berlin"])
            tokens = await insert_sessions(conn, ids)
            people = [
                (i, f"Attendee {k:04d}", token)
                for k, (i, token) in enumerate(zip(ids, tokens, strict=True), 1)
            ]
            await conn.copy_records_to_table(
                "cards",
                columns=["account_id", "name", "headline", "email"],
                records=[
                    (i, name, "Bench phone", f"attendee{i}@example.com") for i, name, _ in people
                ],
            )
            event_id = await insert_event(
                conn,
                organizer_id=ids[0],
                name="Bump Hour 2026",
                venue="Hall 4",
                starts_at=now - timedelta(hours=1),
                ends_at=now + timedelta(hours=3),
                join_code=EVENT_CODE,
            )
            await conn.copy_records_to_table(
                "event_attendees",
                columns=["event_id", "account_id", "joined_at"],
                records=[(event_id, i, now - timedelta(minutes=30)) for i in ids],
            )
        await conn.execute("VACUUM (ANALYZE)")
        return people
    finally:
        await conn.close()


async def check_database(
    database_url: str, partner_of: dict[int, int]
) -> tuple[int, int, Counter[str]]:
    """(contact rows, rows between people who are not partners, bump states)."""
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch("SELECT owner_id, contact_id FROM contacts")
        states = Counter(
            {
                r["state"]: r["n"]
                for r in await conn.fetch("SELECT state, count(*) AS n FROM bumps GROUP BY state")
            }
        )
    finally:
        await conn.close()
    strangers = sum(1 for r in rows if partner_of.get(r["owner_id"]) != r["contact_id"])
    return len(rows), strangers, states


@dataclass
class LockWaits:
    samples: int = 0
    waiting: int = 0  # sessions waiting on an advisory lock, summed over samples
    most: int = 0


async def sample_lock_waits(database_url: str, found: LockWaits, stop: asyncio.Event) -> None:
    """Every 100 ms: how many sessions wait on an advisory lock (the event's pairing lock)."""
    conn = await asyncpg.connect(database_url)
    try:
        while not stop.is_set():
            n = await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock' AND wait_event = 'advisory'"
            )
            found.samples += 1
            found.waiting += n
            found.most = max(found.most, n)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.1)
    finally:
        await conn.close()


# -- figures ------------------------------------------------------------------------------


class ServerCpuMeter(CpuMeter):
    """bench/_cpu.py's meter, with the web server's workers (its children) counted too."""

    def _tree(self) -> float:
        total = 0.0
        if self.service is not None:
            with contextlib.suppress(psutil.Error):
                for proc in [self.service, *self.service.children(recursive=True)]:
                    with contextlib.suppress(psutil.Error):
                        total += cpu_seconds(proc)
        return total

    def mark(self) -> tuple[float, ...]:
        marked = super().mark()
        return (marked[0], marked[1], self._tree(), *marked[3:])


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest rank."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def alike_force(f1: float, f2: float, ratio: float) -> bool:
    return max(f1, f2) / min(f1, f2) <= ratio


def crowding(reports: list[Report], tolerance: float, ratio: float) -> tuple[int, int, int]:
    """Of the attempts where both phones reported: how many had a foreign report of like force
    within ``tolerance`` of one of theirs, and how many were further apart than ``tolerance``.
    """
    posted = sorted(
        (r for r in reports if r.felt and r.state != "rejected"), key=lambda r: r.bumped_at
    )
    times = [r.bumped_at for r in posted]
    by_attempt: dict[tuple[int, int], list[Report]] = {}
    for r in posted:
        by_attempt.setdefault((r.pair, r.attempt), []).append(r)
    both = crowded = apart = 0
    for (pair, attempt), sides in by_attempt.items():
        if len(sides) != 2:
            continue
        both += 1
        if abs(sides[0].bumped_at - sides[1].bumped_at) > tolerance:
            apart += 1
        hit = False
        for side in sides:
            lo = bisect.bisect_left(times, side.bumped_at - tolerance)
            hi = bisect.bisect_right(times, side.bumped_at + tolerance)
            for other in posted[lo:hi]:
                if (other.pair, other.attempt) != (pair, attempt) and alike_force(
                    side.force, other.force, ratio
                ):
                    hit = True
                    break
            if hit:
                break
        crowded += hit
    return both, crowded, apart


def aim(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


def ms(values: Sequence[float], p: float) -> str:
    return f"{percentile(values, p):.0f}"


def report_lines(
    args: argparse.Namespace,
    stats: Stats,
    cpu: dict[str, float],
    db: tuple[int, int, Counter[str]],
    locks: LockWaits,
    bump_seconds: float,
    pg_version: str,
) -> list[str]:
    pairs, phones = args.pairs, 2 * args.pairs
    out = [""]
    out.append(
        f"Reachout bump benchmark: {pairs:,} pairs ({phones:,} phones) in one event, first"
        f" bumps over {args.duration:g} s, up to {args.attempts} bumps a pair, seed {args.seed}"
    )
    out.append(
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, PostgreSQL"
        f" {pg_version}, {args.workers} web process(es) on loopback; rule: TOLERANCE_MS"
        f" {bump_pairing.TOLERANCE_MS}, FORCE_RATIO {bump_pairing.FORCE_RATIO:g}, SETTLE_MS"
        f" {bump_pairing.SETTLE_MS}, WAIT_MS {bump_pairing.WAIT_MS}"
    )
    out.append(
        "model: clocks N(0, 2 s) off, 3% 1-15 min off, +-20 ppm drift; tap.js sync (5 samples,"
        " lowest round trip, every 30 s); Wi-Fi each way 5-30 ms base per phone + exp(8 ms),"
        " 1% stalls of 100-300 ms; 60 Hz sensor; impact lognormal median 25 m/s2 (sigma 0.25)"
        " x phone 0.8-1.25 x sampling (sigma 0.1), threshold 15; retry 1-3 s after"
    )
    swapped = len(stats.outcome)
    correct = 100 * swapped / pairs
    wrong = len(stats.wrong)
    first = sum(1 for a in stats.outcome.values() if a == 1)
    tries = Counter(a for a in stats.outcome.values())
    attempts_made = Counter(r.pair for r in stats.reports)  # two reports per attempt
    mean_attempts = sum(attempts_made.values()) / 2 / pairs
    spread = ", ".join(f"{a}: {tries[a]}" for a in range(1, args.attempts + 1))
    rows, db_strangers, bump_states = db
    by_rule = sum(1 for path in stats.path.values() if path == "rule")
    by_pick = sum(1 for path in stats.path.values() if path == "pick")
    unswapped = phones - 2 * swapped
    wrong_pairs = wrong + db_strangers
    out.append("")
    out.append(
        f"  phones swapped with their true partner  {2 * swapped:>6,} of {phones:,}"
        f"  {correct:6.2f} %   aim >= {AIM_CORRECT} %: {aim(correct >= AIM_CORRECT)}"
    )
    out.append(
        f'    by the rule alone ("Swap with X?", both said yes)  {2 * by_rule:>6,}'
        f"  {100 * by_rule / pairs:6.2f} %"
    )
    out.append(
        f'    by picking each other ("Or pick who you bumped")  {2 * by_pick:>6,}'
        f"  {100 * by_pick / pairs:6.2f} %"
    )
    out.append(
        f"  phones not swapped after {args.attempts} bumps        {unswapped:>6,}"
        f"  {100 * unswapped / phones:6.2f} %"
    )
    out.append(
        f'  phones shown a stranger ("Swap with X?")  {wrong:>9}'
        f"            aim 0: {aim(wrong == 0)}"
    )
    out.append(
        f"  swaps in the database between non-partners {db_strangers // 2:>7}"
        f"            aim 0: {aim(db_strangers == 0)}"
    )
    out.append(f"  pairs right on the first bump           {100 * first / pairs:6.1f} %")
    out.append(
        f"  bumps per pair                          mean {mean_attempts:.2f}; pairs swapped at"
        f" bump {spread}"
    )
    states = Counter(r.state for r in stats.reports)
    out.append(
        "  answers to all "
        f"{len(stats.reports):,} phone-bumps: "
        + ", ".join(f"{s} {states[s]:,}" for s in ("paired", "ambiguous", "unmatched", "rejected"))
        + f", not felt {states['not felt']:,}"
    )
    if stats.retracted or stats.one_sided:
        out.append(
            f"  shown the right name, then retracted before both said yes: {stats.retracted}"
            f" pairs; one side only shown it: {stats.one_sided}"
        )
    for cause, n in sorted(Counter(c for _, c in stats.wrong).items()):
        out.append(f"  wrong pair shown because {cause}: {n}")

    picking = stats.picking
    sizes = sorted(
        (int(key.split()[2]), n) for key, n in picking.items() if key.startswith("lists of ")
    )
    out.append("")
    out.append(
        f'"Or pick who you bumped" ({states["ambiguous"]:,} ambiguous answers to a bump; a person'
        f" reads the list {READ_CHOICES_S[0]:g}-{READ_CHOICES_S[1]:g} s, waits up to"
        f" {CHOICE_WAIT_S:g} s for the other to pick back)"
    )
    out.append("  names listed: " + ", ".join(f"{size}: {n:,}" for size, n in sizes))
    for key in sorted(k for k in picking if k.startswith("ambiguous, ")):
        out.append(f"  {key[len('ambiguous, ') :]}: {picking[key]:,}")
    for key in (
        "picked the partner",
        "swapped at once (the other had picked me)",
        "swapped when the other picked back",
        "waited in vain",
        "stopped waiting: the other bumped again",
        "pick refused (409)",
        "did not pick: the partner not listed",
        "did not pick: the other bumped again",
    ):
        out.append(f"  {key}: {picking[key]:,}")
    for what, n in sorted(stats.odd.items()):
        out.append(f"  ODD x{n}: {what}")

    # Per phone, its first useful prompt: the right "Swap with ...?" or the partner listed.
    first_impact: dict[int, float] = {}
    first_useful: dict[tuple[int, int], Report] = {}
    for r in sorted(stats.reports, key=lambda r: r.attempt):
        first_impact.setdefault(r.pair, r.impact_ms)
        if r.useful:
            first_useful.setdefault((r.pair, r.phone), r)
    useful_bump = [r.answered_ms - r.impact_ms for r in first_useful.values()]
    useful_first = [r.answered_ms - first_impact[r.pair] for r in first_useful.values()]
    useful_paired = [
        r.answered_ms - r.impact_ms for r in first_useful.values() if r.state == "paired"
    ]
    useful_listed = [
        r.answered_ms - r.impact_ms for r in first_useful.values() if r.state == "ambiguous"
    ]
    p99 = percentile(useful_bump, 99)
    out.append("")
    out.append(
        f'Impact to the first useful prompt (the right "Swap with ...?" or the partner in the'
        f" list; {len(useful_bump):,} of {phones:,} phones got one)"
    )
    out.append(
        f"  from that bump's impact: p50 {ms(useful_bump, 50)} ms, p95 {ms(useful_bump, 95)} ms,"
        f" p99 {p99:.0f} ms, max {max(useful_bump, default=math.nan):.0f} ms   aim p99 <"
        f" {AIM_P99_MS:.0f} ms: {aim(p99 < AIM_P99_MS)}"
    )
    out.append(
        f'    a "Swap with ...?" ({len(useful_paired):,}): p50 {ms(useful_paired, 50)},'
        f" p95 {ms(useful_paired, 95)}, p99 {ms(useful_paired, 99)} ms; the partner listed"
        f" ({len(useful_listed):,}): p50 {ms(useful_listed, 50)}, p95 {ms(useful_listed, 95)},"
        f" p99 {ms(useful_listed, 99)} ms"
    )
    out.append(
        f"  from the pair's first bump (retries included): p50 {ms(useful_first, 50)} ms,"
        f" p95 {ms(useful_first, 95)} ms, p99 {ms(useful_first, 99)} ms"
    )
    out.append(
        "Impact to swapped (the first answer saying swapped; reading and tapping included),"
        " from the pair's first bump"
    )
    for label, which in (
        ("all", ("rule", "pick")),
        ("by the rule", ("rule",)),
        ("by picking", ("pick",)),
    ):
        total = [stats.swap_ms[k][0] / 1000 for k, path in stats.path.items() if path in which]
        this = [stats.swap_ms[k][1] / 1000 for k, path in stats.path.items() if path in which]
        out.append(
            f"  {label} ({len(total):,} pairs): p50 {percentile(total, 50):.1f} s, p95"
            f" {percentile(total, 95):.1f} s, p99 {percentile(total, 99):.1f} s; from the"
            f" swapping bump's impact p50 {percentile(this, 50):.1f} s, p99"
            f" {percentile(this, 99):.1f} s"
        )

    # The answers of the bumps where both phones were shown each other's name.
    shown = Counter((r.pair, r.attempt) for r in stats.reports if r.state == "paired")
    strangers = {(r.pair, r.attempt) for r, _ in stats.wrong}
    right = [
        r
        for r in stats.reports
        if r.state == "paired"
        and shown[(r.pair, r.attempt)] == 2
        and (r.pair, r.attempt) not in strangers
    ]
    latency = [r.answered_ms - r.impact_ms for r in right]
    server = [r.server_ms for r in right]
    out.append(
        f'Impact to "Swap with ...?" received (the true pairs\' answers, {len(latency):,} phones):'
        f" p50 {ms(latency, 50)} ms, p95 {ms(latency, 95)} ms, p99 {ms(latency, 99)} ms, max"
        f" {max(latency, default=math.nan):.0f} ms"
    )
    out.append(
        f"  the server's part (POST sent to answer read, no Wi-Fi): p50 {ms(server, 50)} ms,"
        f" p99 {ms(server, 99)} ms (it holds a pair SETTLE_MS after the later bump)"
    )

    posted = [r for r in stats.reports if r.felt and r.state != "rejected"]
    error = [abs(r.bumped_at - r.detected_ms) for r in posted]
    sync_error = [abs(e) for e in stats.estimate_errors]
    pair_gap: list[float] = []
    sides: dict[tuple[int, int], list[Report]] = {}
    for r in posted:
        sides.setdefault((r.pair, r.attempt), []).append(r)
    pair_gap = [abs(s[0].bumped_at - s[1].bumped_at) for s in sides.values() if len(s) == 2]
    out.append("")
    out.append(f"Clocks ({stats.syncs:,} syncs of {SYNC_SAMPLES} samples)")
    out.append(
        f"  |estimated - true| offset after a sync: p50 {ms(sync_error, 50)} ms,"
        f" p99 {ms(sync_error, 99)} ms, max {max(sync_error, default=math.nan):.0f} ms"
    )
    out.append(
        f"  |bumped_at - true moment of detection|: p50 {ms(error, 50)} ms,"
        f" p99 {ms(error, 99)} ms, max {max(error, default=math.nan):.0f} ms"
    )
    late = [r.late_ms for r in posted]
    out.append(
        f"  this process woke late for a detection (event-loop lag, in the gap below): p50"
        f" {ms(late, 50)} ms, p99 {ms(late, 99)} ms, max {max(late, default=math.nan):.0f} ms"
    )
    out.append(
        f"  |gap between the two phones of a bump| ({len(pair_gap):,}): p50 {ms(pair_gap, 50)} ms,"
        f" p99 {ms(pair_gap, 99)} ms, p99.9 {ms(pair_gap, 99.9)} ms,"
        f" max {max(pair_gap, default=math.nan):.0f} ms"
    )
    out.append("")
    out.append(
        "Crowding, from this run's reports (bumps where both phones reported): another bump"
        " of like force within the tolerance, or the two phones further apart than it"
    )
    for ratio in (bump_pairing.FORCE_RATIO, 1.6):
        for tolerance in TOLERANCES:
            both, crowded, apart = crowding(stats.reports, tolerance, ratio)
            if both:
                out.append(
                    f"  tolerance {tolerance:>3} ms, force within {ratio:g}x: crowded"
                    f" {100 * crowded / both:5.1f} %, apart {100 * apart / both:5.2f} %"
                    f" of {both:,}"
                )
    for label, rate in (
        ("first bumps alone", pairs / args.duration),
        ("with the retries", len(sides) / max(1.0, bump_seconds - args.lead)),
    ):
        out.append(
            f"  Poisson, {label} ({rate:.1f} bumps/s): alone within +-T with probability"
            f" exp(-2 rate T): "
            + ", ".join(f"{t} ms {100 * math.exp(-2 * rate * t / 1000):.0f} %" for t in TOLERANCES)
        )
    out.append("")
    out.append(
        f"CPU over the {bump_seconds:.0f} s of bumping (percent of one core, 2 cores = 200):"
        f" web {cpu['service']:.0f}, PostgreSQL {cpu['db']:.0f}, this load generator"
        f" {cpu['bench']:.0f}, other {cpu['other']:.0f}"
    )
    out.append(
        f"  sessions waiting on the event's pairing lock (sampled every 100 ms): mean"
        f" {locks.waiting / max(1, locks.samples):.2f}, most {locks.most}"
    )
    if cpu["other"] > NOISY_OTHER_PERCENT:
        out.append("WARNING: other processes used CPU meanwhile; the tails are inflated.")
    out.append(
        f"database: {rows:,} contact rows ({rows // 2:,} swaps), {db_strangers} between people who"
        f" are not partners; bumps {dict(sorted(bump_states.items()))}"
    )
    out.append("")
    out.append(
        f"Aims: >= {AIM_CORRECT} % correct (swapped with the true partner, either way)"
        f" {aim(correct >= AIM_CORRECT)} ({correct:.2f} %); no wrong pair (a stranger shown,"
        f" or swapped in the database) {aim(wrong_pairs == 0)} ({wrong} shown, {db_strangers // 2}"
        f" swapped); p99 impact to the first useful prompt < {AIM_P99_MS:.0f} ms"
        f" {aim(p99 < AIM_P99_MS)} ({p99:.0f} ms)"
    )
    for problem, n in sorted(stats.errors.items()):
        out.append(f"ERROR x{n}: {problem}")
    return out


# -- main ---------------------------------------------------------------------------------


async def main(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    stats = Stats()
    with tempfile.TemporaryDirectory(prefix="reachout-bench-bump-") as tmpdir:
        tmp = Path(tmpdir)
        async with bench_database(tmp / "pg") as database:
            people = await seed(database.url, 2 * args.pairs)
            log(f"seeded {len(people):,} attendees")
            async with web_server(database.url, tmp, workers=args.workers) as server:
                log(f"server up: {server.base_url}, {args.workers} web process(es)")
                netloc = urlsplit(server.base_url)
                where = (netloc.hostname or HOST, netloc.port or server.port)
                order = list(range(len(people)))
                rng.shuffle(order)
                phones = [Phone(n, people[i], where, args.seed) for n, i in enumerate(order)]
                partner_of: dict[int, int] = {}
                for k in range(args.pairs):
                    a, b = phones[2 * k], phones[2 * k + 1]
                    partner_of[a.account_id] = b.account_id
                    partner_of[b.account_id] = a.account_id
                start_ms = time.time() * 1000 + 500
                firsts = sorted(
                    start_ms + 1000 * (args.lead + rng.uniform(0, args.duration))
                    for _ in range(args.pairs)
                )
                rng.shuffle(firsts)
                meter = ServerCpuMeter(server.pid, database.postmaster_pid)
                mark = meter.mark()
                began = time.perf_counter()
                locks, stop = LockWaits(), asyncio.Event()
                sampler = asyncio.create_task(sample_lock_waits(database.url, locks, stop))
                await asyncio.gather(
                    *(
                        run_pair(
                            k,
                            phones[2 * k],
                            phones[2 * k + 1],
                            firsts[k],
                            args,
                            random.Random(f"pair-{k}-{args.seed}"),
                            stats,
                        )
                        for k in range(args.pairs)
                    )
                )
                bump_seconds = time.perf_counter() - began
                cpu = meter.between(mark, meter.mark())
                stop.set()
                await sampler
            db = await check_database(database.url, partner_of)
            conn = await asyncpg.connect(database.url)
            try:
                pg_version = await conn.fetchval("SHOW server_version")
            finally:
                await conn.close()
    print("\n".join(report_lines(args, stats, cpu, db, locks, bump_seconds, pg_version)))
    return 1 if stats.errors or db[1] else 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=500, help="pairs of phones (500: 1,000)")
    parser.add_argument("--duration", type=float, default=60.0, help="first bumps over, s")
    parser.add_argument("--attempts", type=int, default=4, help="bumps a pair tries at most")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn web processes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--lead", type=float, default=LEAD_S, help=argparse.SUPPRESS)
    parser.add_argument(
        "--smoke", action="store_true", help="a tiny run (seconds) that checks it still works"
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.pairs, args.duration, args.attempts, args.workers, args.lead = 3, 1.0, 2, 1, 1.0
    return args


if __name__ == "__main__":
    import uvloop

    sys.exit(uvloop.run(main(parse_args())))
