"""Mail: messages per second from due rows to the local mail sink, and how soon a waited-for
message arrives.

The worker is the real ``server.mail.worker.MailWorker``, built as
``server.worker_process.main`` builds it: a pool of 6 connections, ``MailSender`` with
``MAIL_CONNECTIONS`` (16) SMTP connections, ``Composer(MAIL_FROM, MailLinks(Urls(ROUTES),
BASE_URL, SECRET_KEY))``, the lease from the settings; in this process, under uvloop, as
``python -m server worker`` runs it. The mail server is server/local_services'
``LocalMailSink`` (aiosmtpd) on loopback SMTP, in its own process (bench/_mail_sink.py),
keeping every message in memory and parsing none until the timed window is over.

1. Throughput, for each kind in ``--kinds``: N emails are ready in the outbox (seeded with
   SQL, as the app would have queued them), each to its own address, and one
   ``MailWorker`` loops ``run_once()`` until it has handled all N. The clock runs from the
   first ``run_once()`` until the last ``'sent'`` is recorded (the SMTP connections are
   opened inside it). Kinds:

   * ``reminder`` (the bulk case: follow-ups falling due at 09:00 in a time zone): N
     people, each with a card, a confirmed address and one contact (one of up to 500
     people with full cards, half of the contacts made at an event) with what was
     promised and asked, its follow-up open and due; one ``'reminder'`` email per
     follow-up. The composer words the reminder and the message to send, and renders
     reach-out links, Done/Snooze (signed), the contact's page and unsubscribe (signed);
   * ``met`` ("You met <name>", sent when someone leaves their details): N people with a
     card and an address never confirmed, each about one of up to 500 people with full
     cards: the card in the message, a ``Reply-To``, and the card attached as a vCard.

   Then every email must be ``'sent'``, and the sink must hold exactly N messages, one per
   address (the envelope's and the ``To``'s), each with the ``Message-ID`` of that
   address's email, and each parsing with the ``email`` package into a text and an HTML
   part (and, for ``met``, a ``text/vcard`` attachment). Printed: messages/s and the CPU,
   in percent of one core, of this process (the worker), the sink's process,
   PostgreSQL, and the rest of the machine. ``--sink-latency`` makes the sink wait that
   long before answering each DATA (a remote mail server's round trip, which a real one
   adds to each of the four commands of a message: a lower bound). ``--profile`` runs
   cProfile over each throughput run (slower: the rate is marked) and prints where the
   worker's time went and the top entries.

2. Waited-for latency: ``MailWorker.run(stop, listener)`` runs with a
   ``server.db.listener.Listener(dsn, "mail")``, its poll every ``--poll-seconds`` (5 s:
   only the ``NOTIFY`` can explain a pick-up within a second). K times, one at a time,
   0-50 ms apart, a signed-in person asks for "Confirm your address": by default
   ``POST /settings/email/confirm`` with their session cookie, on the real server
   (``python -m server web``, one process, started by bench/_server.py), whose handler
   calls ``server.mail.addresses.queue_confirm`` and answers 303; ``--request direct``
   calls ``queue_confirm`` from this process instead, on a pooled connection. The clock
   runs from just before the request is written until the sink has accepted that
   message (the sink's ``time.monotonic()``, the same clock as ours on Linux). Printed:
   p50, p99 and the slowest, and the request's own answer time. Checked: K messages,
   one per address, each a confirmation with text and HTML, every email ``'sent'``.

Aims (reported, not enforced): at least 500 messages/s; a waited-for message in the sink
within 1 s at p99. It exits 1 when a check fails.

Run it::

    make bench
    .venv/bin/python bench/mail.py                          # about two minutes
    .venv/bin/python bench/mail.py --repeat 3               # best of 3: a noisy machine
    .venv/bin/python bench/mail.py --kinds met -n 2000 --connections 16
    .venv/bin/python bench/mail.py --profile                # where the worker's time goes
    .venv/bin/python bench/mail.py --sink-latency 0.05 --connections 32
    .venv/bin/python bench/mail.py --request direct         # no web server for part 2
    .venv/bin/python bench/mail.py --smoke                  # seconds: that it still works
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import platform
import pstats
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from _cpu import CpuMeter
from _http import SAME_ORIGIN, Connection
from _mail_sink import ProcessMailSink, mail_sink
from _seed import insert_accounts, insert_event, insert_sessions
from _server import HOST, SECRET_KEY, bench_database, web_server

from server.config import Settings, load_settings
from server.db.listener import Listener
from server.db.migrations import apply_migrations
from server.db.pool import create_pool
from server.db.queries import Queries
from server.mail import addresses
from server.mail.links import MailLinks
from server.mail.messages import Composer
from server.mail.smtp import MailSender
from server.mail.worker import MailWorker
from server.web.urls import Urls
from server.worker_process import MAIL_CONNECTIONS

AIM_RATE = 500
AIM_P99 = 1.0
POOL_SIZE = 6  # as server.worker_process.main
MAIL_FROM = "Reachout <reminders@reachout.example>"
BASE_URL = "https://reachout.example"
DOMAIN = "bench.example"
WORKER_DEADLINE = 300.0
NOISY_OTHER_PERCENT = 20
TIME_ZONES = ["UTC", "Europe/Paris", "America/New_York", "Asia/Tokyo"]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def settings_for(tmp: Path, database_url: str, smtp_url: str) -> Settings:
    return load_settings(
        {
            "REACHOUT_ENV": "test",
            "SECRET_KEY": SECRET_KEY,
            "REACHOUT_DATA_DIR": str(tmp / "data"),
            "DATABASE_URL": database_url,
            "BASE_URL": BASE_URL,
            "SMTP_URL": smtp_url,
            "MAIL_FROM": MAIL_FROM,
        }
    )


def build_worker(
    pool: Any, sql: Queries, settings: Settings, *, connections: int, poll_seconds: float = 1.0
) -> MailWorker:
    """As server.worker_process.main builds it (poll_seconds aside)."""
    from server.app import ROUTES

    sender = MailSender(
        settings.smtp_url, parseaddr(settings.mail_from)[1], connections=connections
    )
    links = MailLinks(Urls(ROUTES), settings.base_url, settings.secret_key)
    return MailWorker(
        pool=pool,
        sql=sql,
        sender=sender,
        composer=Composer(settings.mail_from, links),
        lease_seconds=settings.worker_lease_seconds,
        poll_seconds=poll_seconds,
    )


# -- seeding ----------------------------------------------------------------------------

TRUNCATE = (
    "TRUNCATE emails, email_addresses, deliveries, push_subscriptions, followups, contacts,"
    " event_attendees, events, cards, sessions, photos, accounts RESTART IDENTITY CASCADE"
)

# Up to 500 people met, with full cards: what the messages are about.
PEOPLE_CARDS = """
INSERT INTO cards (account_id, name, headline, company, email, phone, linkedin, website,
                   looking_for, can_help_with)
SELECT $1 + i, 'Dana Lee-' || i, 'Recruiter, fashion and apparel', 'Threadline',
       'dana' || i || '@threadline.example', '+1 415 555 ' || lpad((i % 10000)::text, 4, '0'),
       'https://www.linkedin.com/in/danalee' || i, 'https://danalee' || i || '.example',
       'Online marketers who know fashion', 'Intros to recruiters in fashion and apparel'
FROM generate_series(1, $2) i
"""


async def seed_people(conn: Any, n: int, *, confirmed: bool) -> int:
    """Accounts 1..n, each with a card and an address (confirmed or not), and accounts
    n+1..n+people with full cards; how many people."""
    people = min(n, 500)
    await conn.execute(TRUNCATE)
    await insert_accounts(conn, n + people, TIME_ZONES)
    await conn.execute(
        "INSERT INTO cards (account_id, name, email)"
        " SELECT i, 'Sam Rivera ' || i, 'sam' || i || '@' || $2::text"
        " FROM generate_series(1, $1) i",
        n,
        DOMAIN,
    )
    await conn.execute(
        "INSERT INTO email_addresses (address, confirmed_at, last_first_mail_at)"
        " SELECT email, CASE WHEN $1 THEN now() - interval '3 days' END, now()"
        " FROM cards WHERE account_id <= $2",
        confirmed,
        n,
    )
    if confirmed:
        await conn.execute(
            "INSERT INTO address_confirmations (address, account_id)"
            " SELECT email, account_id FROM cards WHERE account_id <= $1",
            n,
        )
    await conn.execute(PEOPLE_CARDS, n, people)
    return people


async def seed_reminders(pool: Any, n: int) -> None:
    async with pool.acquire() as conn, conn.transaction():
        people = await seed_people(conn, n, confirmed=True)
        now = datetime.now(UTC)
        event_id = await insert_event(
            conn,
            organizer_id=n + 1,
            name="Fashion Tech Summit",
            venue="Pier 27",
            starts_at=now - timedelta(days=1, hours=2),
            ends_at=now - timedelta(hours=18),
            join_code="BENCH2",
        )
        await conn.execute(
            "INSERT INTO contacts (owner_id, contact_id, met_at, promised, they_asked, event_id)"
            " SELECT i, $1 + 1 + (i % $2), now() - interval '20 hours',"
            " 'an intro to two fashion recruiters', 'a look at my portfolio',"
            " CASE WHEN i % 2 = 0 THEN $3::bigint END"
            " FROM generate_series(1, $1) i",
            n,
            people,
            event_id,
        )
        await conn.execute(
            "INSERT INTO followups (contact_id, owner_id, due_at, round, queued_round)"
            " SELECT id, owner_id, now() - interval '1 minute', 0, 0 FROM contacts"
        )
        await conn.execute(
            "INSERT INTO emails (kind, account_id, to_address, followup_id, round)"
            " SELECT 'reminder', f.owner_id, c.email, f.id, 0"
            " FROM followups f JOIN cards c ON c.account_id = f.owner_id ORDER BY f.id"
        )
    await pool.execute("ANALYZE")


async def seed_met(pool: Any, n: int) -> None:
    async with pool.acquire() as conn, conn.transaction():
        people = await seed_people(conn, n, confirmed=False)
        await conn.execute(
            "INSERT INTO emails (kind, account_id, to_address, about_id, waited_for)"
            " SELECT 'met', c.account_id, c.email, $1 + 1 + (c.account_id % $2), true"
            " FROM cards c WHERE c.account_id <= $1 ORDER BY c.account_id",
            n,
            people,
        )
    await pool.execute("ANALYZE")


SEEDS = {"reminder": seed_reminders, "met": seed_met}


async def seed_askers(
    pool: Any, k: int, *, sessions: bool
) -> tuple[list[int], list[str], list[str]]:
    """K signed-in people with a card and an address we never wrote to (spelt with capitals,
    as typed): their account ids, addresses and (when ``sessions``) session cookies."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(TRUNCATE)
        ids = await insert_accounts(conn, k, TIME_ZONES)
        await conn.execute(
            "INSERT INTO cards (account_id, name, email)"
            " SELECT i, 'Ash Kim ' || i, 'Ash.Kim' || i || '@' || $2::text"
            " FROM unnest($1::bigint[]) i",
            ids,
            DOMAIN,
        )
        emails = [f"Ash.Kim{i}@{DOMAIN}" for i in ids]
        tokens = await insert_sessions(conn, ids) if sessions else []
    await pool.execute("ANALYZE")
    return ids, emails, tokens


# -- checks -----------------------------------------------------------------------------


async def statuses(pool: Any) -> dict[str, int]:
    rows = await pool.fetch("SELECT status, count(*) AS n FROM emails GROUP BY status")
    return {r["status"]: r["n"] for r in rows}


async def check_sink(
    pool: Any, sink: ProcessMailSink, *, what: str, kind: str, attachment: str | None
) -> list[str]:
    """Exactly one message per email, to its address, with its Message-ID, text and HTML."""
    expected = {
        r["to_address"]: r["id"]
        for r in await pool.fetch("SELECT id, to_address FROM emails WHERE kind = $1", kind)
    }
    found = await sink.check()
    problems = [f"{what}: unparsable: {reason}" for reason in found["unparsable"][:5]]
    messages = found["messages"]
    if len(messages) != len(expected) or found["unparsable"]:
        problems.append(
            f"{what}: the sink holds {len(messages) + len(found['unparsable'])} messages"
            f" for {len(expected)} emails"
        )
    per_address = Counter(address for m in messages for address in m[0])
    extra = sorted(a for a, c in per_address.items() if c > 1 or a not in expected)
    missing = sorted(set(expected) - set(per_address))
    if extra or missing:
        problems.append(
            f"{what}: {len(missing)} addresses got nothing (e.g. {missing[:3]}),"
            f" {len(extra)} more than one or unexpected (e.g. {extra[:3]})"
        )
    wrong: Counter[str] = Counter()
    for recipients, to, subject, message_id, has_text, has_html, attachments in messages:
        if len(recipients) != 1 or recipients[0] not in expected:
            wrong["envelope recipients"] += 1
            continue
        address = recipients[0]
        if parseaddr(to)[1].lower() != address:
            wrong["To not the envelope's"] += 1
        if not message_id.startswith(f"<{expected[address]}."):
            wrong["Message-ID not its email's"] += 1
        if not subject:
            wrong["no Subject"] += 1
        if not has_text:
            wrong["no text part"] += 1
        if not has_html:
            wrong["no HTML part"] += 1
        if attachments != ([attachment] if attachment else []):
            wrong[f"attachments {attachments}"] += 1
    problems += [f"{what}: {count} messages with {reason}" for reason, count in wrong.items()]
    return problems


# -- 1. throughput ----------------------------------------------------------------------


@dataclass
class Throughput:
    kind: str
    n: int
    seconds: float
    passes: int
    cpu: dict[str, float]
    profiled: bool
    profile: str = ""

    @property
    def rate(self) -> float:
        return self.n / self.seconds


async def run_throughput(
    pool: Any,
    sql: Queries,
    settings: Settings,
    sink: ProcessMailSink,
    meter: CpuMeter,
    *,
    kind: str,
    args: argparse.Namespace,
) -> tuple[Throughput, list[str]]:
    n = args.n
    await SEEDS[kind](pool, n)
    await sink.reset()
    worker = build_worker(pool, sql, settings, connections=args.connections)
    profiler = cProfile.Profile() if args.profile else None
    try:
        start = meter.mark()
        if profiler is not None:
            profiler.enable()
        deadline = start[0] + WORKER_DEADLINE
        handled = passes = 0
        while handled < n:
            got = await worker.run_once()
            passes += 1
            handled += got
            if got == 0:
                if time.perf_counter() > deadline:
                    raise RuntimeError(f"the worker handled {handled} of {n} in time")
                await asyncio.sleep(0.01)
        if profiler is not None:
            profiler.disable()
        end = meter.mark()
    finally:
        await worker.sender.close()
    run = Throughput(
        kind, n, end[0] - start[0], passes, CpuMeter.between(start, end), profiler is not None
    )
    if profiler is not None:
        run.profile = profile_text(profiler, args.profile_top)
        if args.profile_out:
            profiler.dump_stats(f"{args.profile_out}.{kind}")
    problems = []
    found = await statuses(pool)
    if found != {"sent": n}:
        problems.append(f"{kind}: emails are {found}, expected sent x{n}")
    problems += await check_sink(
        pool, sink, what=kind, kind=kind, attachment="text/vcard" if kind == "met" else None
    )
    return run, problems


# Where the worker's time goes: (label, file name ending, function name), cumulative times.
PROFILE_PARTS = [
    ("Composer.compose (all of it)", "server/mail/messages.py", "compose"),
    ("  jinja2 Template.render", "jinja2/environment.py", "render"),
    ("  css_inline CSSInliner.inline", "~", "<method 'inline' of 'builtins.CSSInliner' objects>"),
    ("aiosmtplib flatten_message (email generator)", "aiosmtplib/email.py", "flatten_message"),
    ("aiosmtplib SMTP.sendmail (the SMTP dialogue)", "aiosmtplib/smtp.py", "sendmail"),
    ("Queries.run (database, this side)", "server/db/queries.py", "run"),
]


def profile_summary(stats: pstats.Stats) -> str:
    entries: dict[tuple[str, int, str], tuple[Any, ...]] = stats.stats  # type: ignore[attr-defined]
    total = float(stats.total_tt)  # type: ignore[attr-defined]
    lines = [f"{'where':<46} {'seconds':>8} {'share':>6}"]
    for label, file_end, function in PROFILE_PARTS:
        seconds = sum(
            value[3]
            for (file, _line, name), value in entries.items()
            if name == function and file.endswith(file_end)
        )
        lines.append(f"{label:<46} {seconds:>8.2f} {100 * seconds / total:>5.0f}%")
    lines.append(f"{'all profiled time':<46} {total:>8.2f}")
    return "\n".join(lines)


def profile_text(profiler: cProfile.Profile, top: int) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    out.write(profile_summary(stats) + "\n\n")
    stats.strip_dirs().sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


# -- 2. waited-for latency --------------------------------------------------------------


@dataclass
class Latency:
    how: str
    arrivals: list[float] = field(default_factory=list)  # request to arrival, seconds
    answers: list[float] = field(default_factory=list)  # request to its answer, seconds

    @staticmethod
    def pct(values: list[float], p: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


async def run_latency(
    pool: Any,
    sql: Queries,
    settings: Settings,
    sink: ProcessMailSink,
    database_url: str,
    *,
    args: argparse.Namespace,
    tmp: Path,
) -> tuple[Latency, list[str]]:
    k = args.k
    http = args.request == "http"
    ids, emails, tokens = await seed_askers(pool, k, sessions=http)
    await sink.reset()
    how = (
        "POST /settings/email/confirm (the web server queues it)"
        if http
        else "queue_confirm() from this process"
    )
    latency = Latency(how)
    problems: list[str] = []
    rng = random.Random(1)
    listener = Listener(database_url, "mail")
    await listener.start()
    worker = build_worker(
        pool, sql, settings, connections=args.connections, poll_seconds=args.poll_seconds
    )
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop, listener))
    timeout = args.poll_seconds + 5
    try:
        if http:
            async with web_server(database_url, tmp) as server:
                await asyncio.sleep(0.5)  # the worker's first pass found nothing: it waits
                conn = await Connection.open(HOST, server.port)
                try:
                    for address, token in zip(emails, tokens, strict=True):
                        raw = (
                            "POST /settings/email/confirm HTTP/1.1\r\n"
                            f"Host: {HOST}:{server.port}\r\n"
                            f"Cookie: ro_session={token}\r\n{SAME_ORIGIN}"
                            "Content-Type: application/x-www-form-urlencoded\r\n"
                            "Content-Length: 0\r\n\r\n"
                        ).encode()
                        await asyncio.sleep(rng.uniform(0, 0.05))
                        sent = time.monotonic()
                        reply = await conn.request(raw)
                        answered = time.monotonic()
                        if reply.status != 303:
                            problems.append(f"POST answered {reply.status} for {address}")
                            break
                        if not await _arrived(sink, latency, address, sent, answered, timeout):
                            problems.append(f"nothing arrived for {address} in {timeout} s")
                            break
                finally:
                    conn.close()
        else:
            await asyncio.sleep(0.5)
            async with pool.acquire() as conn:
                for account_id, address in zip(ids, emails, strict=True):
                    await asyncio.sleep(rng.uniform(0, 0.05))
                    sent = time.monotonic()
                    queued = await addresses.queue_confirm(conn, sql, account_id, address)
                    answered = time.monotonic()
                    if not queued:
                        problems.append(f"queue_confirm queued nothing for {address}")
                        break
                    if not await _arrived(sink, latency, address, sent, answered, timeout):
                        problems.append(f"nothing arrived for {address} in {timeout} s")
                        break
    finally:
        stop.set()
        await running
        await worker.sender.close()
        await listener.close()
    found = await statuses(pool)
    if found != {"sent": k}:
        problems.append(f"confirm: emails are {found}, expected sent x{k}")
    problems += await check_sink(pool, sink, what="confirm", kind="confirm", attachment=None)
    return latency, problems


async def _arrived(
    sink: ProcessMailSink,
    latency: Latency,
    address: str,
    sent: float,
    answered: float,
    timeout: float,  # noqa: ASYNC109
) -> bool:
    at = await sink.arrival(addresses.normalize(address), timeout)
    if at is None:
        return False
    latency.arrivals.append(at - sent)
    latency.answers.append(answered - sent)
    return True


# -- report -----------------------------------------------------------------------------


def throughput_table(runs: list[Throughput]) -> str:
    header = (
        f"{'kind':<9} {'N':>6} {'seconds':>7} {'passes':>6} {'messages/s':>10}"
        f"  {'cpu% worker':>11} {'sink':>5} {'db':>4} {'other':>5}"
        f"  {'worker cpu us/msg':>17}  aim (>= {AIM_RATE}/s)"
    )
    rows = [header, "-" * len(header)]
    for r in runs:
        mark = "p" if r.profiled else " "
        aim = "-" if r.profiled else ("MET" if r.rate >= AIM_RATE else "NOT MET")
        per_message = 10_000 * r.cpu["bench"] / r.rate
        rows.append(
            f"{r.kind:<9} {r.n:>6} {r.seconds:>7.2f} {r.passes:>6} {r.rate:>9.0f}{mark}"
            f"  {r.cpu['bench']:>11.0f} {r.cpu['service']:>5.0f} {r.cpu['db']:>4.0f}"
            f" {r.cpu['other']:>5.0f}  {per_message:>17.0f}  {aim}"
        )
    return "\n".join(rows)


def latency_table(latency: Latency) -> str:
    ms = [1000 * v for v in latency.arrivals]
    answers = [1000 * v for v in latency.answers]
    p99 = Latency.pct(ms, 99)
    aim = "MET" if p99 < AIM_P99 * 1000 else "NOT MET"
    header = (
        f"{'K':>4}  {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'mean ms':>7}"
        f"  {'answer p50':>10} {'p99':>6}  aim (p99 < {AIM_P99 * 1000:.0f} ms)"
    )
    return "\n".join(
        [
            header,
            "-" * len(header),
            f"{len(ms):>4}  {Latency.pct(ms, 50):>7.1f} {p99:>7.1f} {max(ms):>7.1f}"
            f" {statistics.fmean(ms):>7.1f}  {Latency.pct(answers, 50):>10.1f}"
            f" {Latency.pct(answers, 99):>6.1f}  {aim}",
        ]
    )


async def main(args: argparse.Namespace) -> int:
    runs: list[Throughput] = []
    latency: Latency | None = None
    problems: list[str] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="reachout-bench-mail-") as tmpdir:
        tmp = Path(tmpdir)
        async with bench_database(tmp / "pg") as database, mail_sink() as sink:
            pool = await create_pool(
                database.url, max_size=POOL_SIZE, application_name="reachout-bench-mail"
            )
            try:
                async with pool.acquire() as conn:
                    await apply_migrations(conn)
                sql = Queries()  # once, with the migrations: both as they are at the start
                settings = settings_for(tmp, database.url, sink.url)
                meter = CpuMeter(sink.pid, database.postmaster_pid)
                await sink.configure(latency=args.sink_latency)
                log(f"mail sink at {sink.url} (pid {sink.pid}), database ready")
                best: dict[str, Throughput] = {}
                for _ in range(args.repeat):  # the kinds take turns; each keeps its best run
                    for kind in args.kinds:
                        run, found = await run_throughput(
                            pool, sql, settings, sink, meter, kind=kind, args=args
                        )
                        log(f"  {kind}: {run.rate:.0f} messages/s (other {run.cpu['other']:.0f}%)")
                        problems += found
                        if kind not in best or run.rate > best[kind].rate:
                            best[kind] = run
                runs = [best[kind] for kind in args.kinds]
                if args.k:
                    latency, found = await run_latency(
                        pool, sql, settings, sink, database.url, args=args, tmp=tmp
                    )
                    problems += found
            finally:
                await pool.close()

    print()
    print(
        "Reachout mail benchmark: messages/s from due rows in PostgreSQL to the local mail"
        " sink, 'sent' recorded; a waited-for message's request to arrival"
    )
    print(
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, uvloop;"
        " worker, sink and PostgreSQL on this machine, loopback SMTP"
    )
    print(
        f"worker: server.mail.worker.MailWorker as server.worker_process builds it,"
        f" {args.connections} SMTP connections, pool of {POOL_SIZE};"
        " sink: LocalMailSink (aiosmtpd) in its own process (bench/_mail_sink.py),"
        f" answering DATA after {args.sink_latency * 1000:g} ms"
    )
    print()
    if runs:
        print(
            "1. Throughput: CPU in percent of one core during each run: worker = this process,"
            " sink = the sink's process, db = PostgreSQL, other = anything else;"
            " passes = run_once() calls" + ("; p = under cProfile" if args.profile else "")
        )
        if args.repeat > 1:
            print(f"best of {args.repeat} runs each, the kinds taking turns")
        print(throughput_table(runs))
        print()
    if latency is not None and latency.arrivals:
        print(
            f"2. Waited-for latency: {latency.how}, one at a time, worker polling every"
            f" {args.poll_seconds:g} s and woken by NOTIFY; request to arrival in the sink,"
            " and to the request's own answer"
        )
        print(latency_table(latency))
        print()
    for run in runs:
        if run.profile:
            print(f"cProfile of the worker, {run.kind} (top {args.profile_top}):")
            print(run.profile)
    noisy = [r.cpu["other"] for r in runs if r.cpu["other"] > NOISY_OTHER_PERCENT]
    if noisy:
        print(
            f"WARNING: other processes used up to {max(noisy):.0f}% of a core during"
            f" {len(noisy)} runs, so those rates are low; run again on a quiet machine."
        )
    print(f"total run time {time.perf_counter() - started:.0f} s")
    for problem in problems:
        print(f"CHECK FAILED: {problem}")
    if not problems:
        print(
            "checks: every email 'sent'; the sink holds exactly one message per email, to its"
            " address, with its Message-ID, parsing into text and HTML (and the vCard for met)"
        )
    return 1 if problems else 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=5000, help="emails per throughput run")
    parser.add_argument("--kinds", nargs="+", choices=sorted(SEEDS), default=["reminder", "met"])
    parser.add_argument(
        "--connections",
        type=int,
        default=MAIL_CONNECTIONS,
        help="SMTP connections (the worker process's MAIL_CONNECTIONS by default)",
    )
    parser.add_argument(
        "--sink-latency", type=float, default=0.0, help="seconds before the sink answers DATA"
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="throughput runs per kind, best kept (a noisy host)"
    )
    parser.add_argument("-k", type=int, default=200, help="waited-for messages timed (0: none)")
    parser.add_argument("--request", choices=("http", "direct"), default="http")
    parser.add_argument("--poll-seconds", type=float, default=5.0)
    parser.add_argument("--profile", action="store_true", help="cProfile the throughput runs")
    parser.add_argument("--profile-top", type=int, default=25)
    parser.add_argument(
        "--profile-out", metavar="PREFIX", help="also save each profile as PREFIX.<kind> (pstats)"
    )
    parser.add_argument(
        "--smoke", action="store_true", help="a tiny run (seconds) that checks it still works"
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.n, args.k = 50, 10
    return args


if __name__ == "__main__":
    import uvloop

    sys.exit(uvloop.run(main(parse_args())))
