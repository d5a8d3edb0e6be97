"""One big event and a long memory: roster search as you type, "people who can help you",
the digest by push and by email, and one person's thousands of contacts and their export.

What it seeds (set-based SQL on a fresh database, schema from server.db.apply_migrations,
from a fixed random seed so every run has the same people; a minute or two at full size):

* 70,000 accounts with cards (``--attendees``): names from first and last name lists,
  headlines made of roles, sectors, skills and companies (about 1,500 companies, a few
  large), and "looking for" / "can help with" built from phrase templates (some left empty);
* one event with all of them as attendees (92% listed), blocks (3 per 100 attendees) and
  connect requests (30 per 100) between attendees;
* a second, small event (``--small-event``, 30 of the same people, all listed): a meetup on
  a server whose cards are mostly other people's; deleted once timed, before the digest;
* 500,000 two-way swaps tagged with the event (``--swaps``; 1,000,000 contacts rows, one
  follow-up each, about 30% already done; the open ones fall due tomorrow, so no reminder
  is queued). Some people swap a lot, 3% not at all. The pairs are drawn here and inserted
  from two arrays, both sides in one ``INSERT ... SELECT``;
* how each attendee wants reminders and digests (``REACH``): 70% a push device only
  (settings on "automatic"), 10% a device and email ("both"), 15% email only (a confirmed
  address, no device: "automatic" emails them), 5% neither (an address never confirmed, no
  device). One push subscription per device, made by the local push service
  (server.local_services, run by bench/_push_service.py in its own process) for the app's
  VAPID key;
* one more person with 10,000 contacts (``--contacts``; bench/_long_memory.py): the
  attendees 1..10,000, met over 19 months, half at a dozen past events, with notes and
  follow-ups, and a signed-in session. Then VACUUM (ANALYZE).

What it times, each query being the exact text of sql/queries/*.sql from
server.db.Queries, run on one pooled connection as the app runs it (asyncpg's
prepared statement, so PostgreSQL may switch to a generic plan after 5 runs), the
clock around each ``fetch`` (the round trip included):

* roster search as you type: for each of ``--roster-viewers`` attendees, ``events.roster``
  with ``events.prefix_query(typed)`` as $3 for every step of typing "recruiter",
  a first name, a frequent company's name, a sector and two words ("mar rec");
  and the roster's first page with no search (NULL) for ``--first-page-viewers``;
* the same search as you type, and the first page, at the small event, for
  ``--small-event-viewers`` of its people: its roster is read among every card there is;
* ``matches.for_me`` ("people who can help you" and whom you can help) for
  ``--matches-viewers`` attendees;
* the person with many contacts (``--contacts-runs`` runs of each, at least): the contacts
  page's ``contacts.search`` for the first 50, every "Show more" page to the end (keyset),
  search as you type (a first name step by step, a last name, a company, a sector, a
  name nobody has), the "where we met" filter, and ``events.mine`` (the page's event menu);
* their exports (vCard, CSV, JSON) downloaded from the real web server (``python -m server
  web``, one process) with bench/export.py's ``download`` and checked with its checks;
* the digest: the event is made to have ended a minute ago, ``Worker.enqueue_digests()``
  (digest_delay_seconds=0) is timed, and then the real push worker
  (``server.followups.worker.Worker``) and mail worker (``server.mail.worker.MailWorker``),
  built as ``python -m server worker`` builds them (one pool of 6, ``push_client``,
  ``PushSender``, push concurrency ``--concurrency``; ``MailSender`` with MAIL_CONNECTIONS
  SMTP connections, ``Composer``), loop ``run_once()`` side by side until every digest is
  handled; or, with ``--worker-processes N``, N real ``python -m server worker`` processes
  (the deployment "Running at scale" describes: one per core) deliver it, the clock running
  from the timed enqueue until the database shows every push and email sent (their CPU is
  printed as "workers"). The push service answers after ``--latency`` (50 ms, about a real
  one's round trip) and, by default, runs its checks (VAPID, decryption, ...) after the timed window
  (``--checks inline`` for as it answers); the mail sink is bench/_mail_sink.py's
  (aiosmtpd, its own process). Checked: exactly one accepted push per attendee with a device
  at their own subscription, every delivery 'sent', urgency low, and each title and body as
  ``server.followups.notifications.notification`` words them for the counts of people met and
  follow-ups open, counted here independently; every email 'sent' and exactly one message
  per address in the sink, with its Message-ID, text and HTML (bench/mail.py's check).

It also prints EXPLAIN (ANALYZE, BUFFERS) summaries (top node, the scans, the time)
of one roster search, the roster's first page, one search at the small event, the slowest
matches query and one contacts search, as custom and generic plans, and whether the app's
prepared statements ran generic plans.

``--scale`` runs it all at 1/100, 1/10 and the whole size (700 / 7,000 / 70,000 attendees,
5,000 / 50,000 / 500,000 swaps, 100 / 1,000 / 10,000 contacts), each on a fresh database,
and ends with one table of every figure at each size and how it grows per tenfold.

Aims (reported, not enforced): roster search (at the big event and at the small one), its
first page and matches p99 under 30 ms;
the contacts queries p99 under 50 ms and each export under 5 s; the digest for 70,000
attendees enqueued in under 5 s and delivered (push and mail) in under 60 s. It exits 1
when a check fails.

Run it::

    .venv/bin/python bench/events.py                  # a few minutes
    .venv/bin/python bench/events.py --scale          # three sizes and the growth table
    .venv/bin/python bench/events.py --explain-full   # whole plans too
    .venv/bin/python bench/events.py --attendees 10000 --swaps 50000 --contacts 1000
    DATABASE_URL=postgresql://localhost/postgres .venv/bin/python bench/events.py
    .venv/bin/python bench/events.py --smoke          # seconds: that it still works
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import math
import os
import platform
import random
import re
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from pathlib import Path
from typing import Any

import psutil
from _cpu import CpuMeter, cpu_seconds
from _long_memory import Person as ContactsPerson
from _long_memory import seed_person, time_contacts
from _mail_sink import ProcessMailSink, mail_sink
from _push_service import Service, push_service
from _seed import awake, insert_accounts, insert_event
from _server import PROJECT_ROOT, SECRET_KEY, bench_database, web_server
from export import EXPORTS, Seeded, check_csv, check_vcf, download
from mail import BASE_URL, MAIL_FROM, check_sink

from server.config import load_settings
from server.contacts.contacts import like_pattern
from server.db.migrations import apply_migrations
from server.db.pool import create_pool
from server.db.queries import Queries
from server.events import events
from server.followups import push
from server.followups.notifications import Paths, notification
from server.followups.worker import Worker, push_client
from server.mail.links import MailLinks
from server.mail.messages import Composer
from server.mail.smtp import MailSender
from server.mail.worker import MailWorker
from server.web import pages
from server.web.urls import Urls
from server.worker_process import MAIL_CONNECTIONS

SEED = 20_260_512
AIM_QUERY_P99_MS = 30.0
AIM_CONTACTS_P99_MS = 50.0
AIM_EXPORT_S = 5.0
AIM_ENQUEUE_S = 5.0
AIM_DELIVER_S = 60.0
WORKER_POOL_SIZE = 6  # as server.worker_process.main
DELIVERY_DEADLINE = 300.0
SEED_TIMEOUT = 900  # seconds a seeding statement may take (the pool's default is 30)
SUBJECT = "mailto:bench@example.com"
EVENT_NAME = "Founders & Makers Summit 2026"
SMALL_EVENT_NAME = "Thursday founders' breakfast"
WARMUP = 10
# The roster page a person sees first: the server asks for one row more, to know of a next.
FIRST_PAGE = {"after": None, "limit": pages.PAGE_SIZE + 1}
NOISY_OTHER_PERCENT = 20

# -- vocabularies ------------------------------------------------------------------------


def words(text: str) -> list[str]:
    """Whitespace-separated words; an underscore joins a two-word name ("Da_Silva")."""
    return [word.replace("_", " ") for word in text.split()]


FIRST_NAMES = words("""
Aaliyah Aarav Abigail Adam Adebayo Adriana Ahmed Aiko Aisha Alejandro Alex Alice Amara
Amelia Amir Ana Andrea Andrei Anika Anna Antoine Arjun Astrid Ayumi Beatriz Ben Bianca
Bilal Camila Carlos Carmen Chen Chidi Chloe Chris Clara Daniel Dana Daniela David Diego
Dmitri Elena Eli Elif Emeka Emily Emma Erik Esther Ethan Fatima Felix Fernanda Finn
Gabriel Giulia Grace Hana Hannah Hassan Helena Hiroshi Ibrahim Ines Isabel Ivan Jack
Jakob James Jana Javier Jin Joao Jonas Jose Julia Kai Kamala Karim Kate Kenji Kofi
Laila Lars Laura Layla Leo Liam Lina Lucas Lucia Luis Maja Malik Mara Marco Maria Mariam
Marie Mark Marta Mateo Maya Mei Mia Michael Miguel Mina Mohammed Nadia Naomi Nia Nikhil
Nina Noah Nora Olivia Omar Oscar Paolo Pedro Priya Rafael Rahul Ravi Rebecca Ren Rosa
Ruth Sakura Samuel Sara Sebastian Sofia Sophie Stefan Sunita Tariq Thomas Tomas Valentina
Victor Wei Yara Yusuf Zainab Zara Zoe
""")

LAST_NAMES = words("""
Abadi Adeyemi Alvarez Andersen Anderson Bauer Becker Bianchi Brown Campbell Chen Costa
Da_Silva Dang Diaz Dubois Eriksson Evans Fernandez Fischer Garcia Goldberg Gomez Gonzalez
Gupta Haddad Hansen Hernandez Hoffmann Ibrahim Ito Iyer Jackson Jansen Johansson Johnson
Kaur Khan Kim Kowalski Kumar Larsen Laurent Lee Lewis Li Lim Liu Lopez Martin Martinez
Mendes Mensah Meyer Miller Moreau Morales Mueller Murphy Nakamura Nguyen Nielsen Novak
Obi Okafor Okonkwo Oliveira Olsen Ortiz Park Patel Pereira Perez Petrov Popescu Qureshi
Ramirez Rao Reyes Ricci Rodriguez Romano Rossi Sanchez Santos Sato Schmidt Schneider
Shah Sharma Silva Singh Smith Sousa Suzuki Takahashi Tanaka Taylor Thomas Torres Tran
Turner Ueda Van_Dijk Vargas Wagner Walker Wang Weber Williams Wilson Wong Wu Xu Yamamoto
Yang Yilmaz Young Zhang Zhou
""")

ROLES = [
    "Recruiter",
    "Technical recruiter",
    "Talent partner",
    "Product manager",
    "Senior product manager",
    "Software engineer",
    "Backend engineer",
    "Frontend developer",
    "Data scientist",
    "Machine learning engineer",
    "UX designer",
    "Product designer",
    "Brand designer",
    "Marketing lead",
    "Growth marketer",
    "Content strategist",
    "SEO specialist",
    "Sales director",
    "Account executive",
    "Founder",
    "Co-founder",
    "CEO",
    "CTO",
    "COO",
    "Angel investor",
    "Venture partner",
    "Analyst",
    "Consultant",
    "Freelance copywriter",
    "Photographer",
    "Community manager",
    "Operations manager",
    "HR business partner",
    "Customer success manager",
    "Developer advocate",
    "Journalist",
    "PhD student",
    "Student",
    "Career coach",
    "Lawyer",
    "Accountant",
    "Architect",
    "Event organizer",
    "Project manager",
    "Engineering manager",
    "Head of people",
    "Researcher",
    "Fashion buyer",
    "Shop owner",
    "Chef",
]

# Roles one asks to be introduced to, in the plural.
INTRO_ROLES = [
    "recruiters",
    "investors",
    "angel investors",
    "founders",
    "designers",
    "engineers",
    "product managers",
    "marketers",
    "journalists",
    "buyers",
    "lawyers",
    "mentors",
    "hiring managers",
    "data scientists",
    "photographers",
]

SECTORS = [
    "fashion and apparel",
    "fintech",
    "climate tech",
    "healthcare",
    "edtech",
    "e-commerce",
    "gaming",
    "media",
    "retail",
    "logistics",
    "real estate",
    "food and beverage",
    "travel",
    "cybersecurity",
    "biotech",
    "SaaS",
    "developer tools",
    "AI",
    "mobility",
    "energy",
    "nonprofits",
    "music",
    "sports",
    "beauty",
    "hospitality",
    "agritech",
    "insurance",
    "legal tech",
    "the public sector",
    "robotics",
]

SKILLS = [
    "Python",
    "React",
    "SEO",
    "brand strategy",
    "fundraising",
    "hiring",
    "public speaking",
    "UX research",
    "data analysis",
    "pricing",
    "go-to-market",
    "partnerships",
    "supply chain",
    "copywriting",
    "product strategy",
    "cloud infrastructure",
    "security audits",
    "community building",
    "influencer marketing",
    "paid ads",
    "financial modelling",
    "pitch decks",
    "negotiation",
    "career changes",
    "visa questions",
    "B2B sales",
    "mobile apps",
    "photography",
    "video editing",
    "podcasting",
]

COMPANY_HEADS = words("""
North Blue Bright Thread Green Silver Red Open Deep Clear Swift Iron Cloud Pine Harbor
Lumen Nova Atlas Echo Cedar Maple Orbit Pixel Quartz River Stone Sun Tide Vertex Wild
Zen Arc Bold Core Delta Fern Grid Hive Kite Loop
""")
COMPANY_TAILS = words("""
line works labs ly hub stack field bridge craft path wave point forge mint nest shift
spark scale form base
""")
COMPANY_ENDINGS = ["", "", "", " Labs", " Studio", " Capital", " Group", " Health", " & Co"]

HEADLINES = [
    "{role}, {sector}",
    "{role}, {sector}",
    "{role} at {company}",
    "{role} at {company}",
    "{role} in {sector}",
    "{role} | {skill}",
    "{role}",
    "{role} at {company}, {sector}",
]

LOOKING_FOR = [
    "Online marketers who know {sector}",
    "A technical co-founder for a {sector} startup",
    "Seed investors in {sector}",
    "Intros to {intro} in {sector}",
    "A job as a {role_lower}",
    "Beta testers for our {sector} app",
    "A mentor for {skill}",
    "Feedback on my pitch deck",
    "Hiring a {role_lower}",
    "Clients who need help with {skill}",
    "People working in {sector}",
    "Advice on {skill}",
    "A designer for my shop",
    "Partners to sell in {sector}",
    "Recruiting contacts in {sector}",
]

CAN_HELP_WITH = [
    "Intros to {intro} in {sector}",
    "Reviewing pitch decks",
    "Advice on {skill}",
    "Mentoring on {skill}",
    "Introductions to {sector} investors",
    "Hiring advice for early-stage teams",
    "Feedback on {skill}",
    "Help with {skill}",
    "Designing websites and shops",
    "Mock interviews for {intro}",
    "Warm intros at {company}",
    "Talking through a move into {sector}",
    "Open roles at {company}",
    "Recruiting for {sector} teams",
]

# Round the clock between them: the attendees are put in those where it is day now (`awake`),
# as an event's digest waits for the morning where it is night.
TIME_ZONES = [
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "UTC",
    "Asia/Singapore",
]

# -- seeding -----------------------------------------------------------------------------

# How attendees want reminders and digests to come (percent of attendees): a push device
# only (settings left on "automatic"), a device and email ("both"), email only (a confirmed
# address and no device: "automatic" picks email), and neither (no device, an address never
# confirmed: nothing is sent). A conference crowd mostly installs the app at the door.
REACH = {"push": 70, "both": 10, "email": 15, "none": 5}

# Both sides of each swap from two arrays of account ids: when they met (spread over the
# event's first 3.5 hours) and, for a fifth, what the first promised the second.
SWAPS = """
INSERT INTO contacts (owner_id, contact_id, met_at, event_id, promised, they_asked)
SELECT side.owner_id, side.contact_id, p.met_at, $4::bigint,
       CASE WHEN side.owner_id = p.a THEN p.promised ELSE '' END,
       CASE WHEN side.owner_id = p.a THEN '' ELSE p.promised END
FROM (SELECT a, b,
             $3::timestamptz + ((a * 7919 + b * 104729) % 12600) * interval '1 second' AS met_at,
             CASE WHEN (a * 31 + b) % 5 = 0 THEN 'an intro to two fashion recruiters'
                  ELSE '' END AS promised
      FROM unnest($1::bigint[], $2::bigint[]) AS p(a, b)) p
CROSS JOIN LATERAL (VALUES (p.a, p.b), (p.b, p.a)) AS side(owner_id, contact_id)
"""


def reach_of(n: int, rng: random.Random) -> list[str]:
    """Each attendee's way of being reached (REACH), the i-th for account i + 1."""
    return rng.choices(list(REACH), weights=list(REACH.values()), k=n)


@dataclass(frozen=True)
class Person:
    first: str
    name: str
    headline: str
    company: str
    looking_for: str
    can_help_with: str


def companies(rng: random.Random, n: int = 1500) -> list[str]:
    names: set[str] = set()
    while len(names) < n:
        head, tail = rng.choice(COMPANY_HEADS), rng.choice(COMPANY_TAILS)
        names.add(f"{head}{tail}{rng.choice(COMPANY_ENDINGS)}")
    return sorted(names)


def phrase(rng: random.Random, templates: Sequence[str], fill: dict[str, str]) -> str:
    parts = [rng.choice(templates) for _ in range(1 if rng.random() < 0.7 else 2)]
    filled = [p.format(**{**fill, **picks(rng)}) for p in parts]
    return "; ".join(filled)[:500]


def picks(rng: random.Random) -> dict[str, str]:
    role = rng.choice(ROLES)
    return {
        "sector": rng.choice(SECTORS),
        "skill": rng.choice(SKILLS),
        "intro": rng.choice(INTRO_ROLES),
        "role_lower": role.lower(),
    }


def make_people(n: int, rng: random.Random) -> list[Person]:
    firms = companies(rng)
    # A few large companies and a long tail (Zipf-like).
    firm_weights = [1 / (rank + 1) ** 0.9 for rank in range(len(firms))]
    people = []
    for _ in range(n):
        first = rng.choice(FIRST_NAMES)
        name = f"{first} {rng.choice(LAST_NAMES)}"
        company = rng.choices(firms, firm_weights)[0] if rng.random() < 0.9 else ""
        role = rng.choice(ROLES)
        fill = {"role": role, "company": company or "my company", **picks(rng)}
        template = rng.choice(
            HEADLINES if company else [h for h in HEADLINES if "{company}" not in h]
        )
        headline = template.format(**fill)[:120] if rng.random() < 0.95 else ""
        looking = phrase(rng, LOOKING_FOR, fill) if rng.random() < 0.85 else ""
        helping = phrase(rng, CAN_HELP_WITH, fill) if rng.random() < 0.8 else ""
        people.append(Person(first, name, headline, company, looking, helping))
    return people


def swap_pairs(n: int, swaps: int, rng: random.Random) -> list[tuple[int, int]]:
    """Distinct unordered pairs of 1..n; some people swap a lot, 3% not at all."""
    weights = [0.0 if rng.random() < 0.03 else rng.lognormvariate(0, 0.8) for _ in range(n)]
    ids = range(1, n + 1)
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < swaps:
        a_side = rng.choices(ids, weights, k=swaps)
        b_side = rng.choices(ids, weights, k=swaps)
        for a, b in zip(a_side, b_side, strict=True):
            if a != b:
                pairs.add((min(a, b), max(a, b)))
                if len(pairs) == swaps:
                    break
    return sorted(pairs)


async def seed(
    pool: Any,
    people: list[Person],
    reach: list[str],
    subscriptions: list[dict[str, str]],
    swaps: int,
) -> int:
    """Everything above; returns the event's id. Set-based: COPY for the rows made here,
    INSERT ... SELECT from arrays for the swaps' two sides and their follow-ups."""
    rng = random.Random(SEED + 1)
    n = len(people)
    now = datetime.now(UTC)
    starts = now - timedelta(hours=4)
    async with pool.acquire() as conn, conn.transaction():
        ids = await insert_accounts(conn, n, awake(TIME_ZONES))
        assert ids == list(range(1, n + 1)), "a fresh database numbers accounts from 1"
        cards = []
        for i, p in enumerate(people, start=1):
            handle = p.name.lower().replace(" ", ".")
            linkedin = f"https://www.linkedin.com/in/{handle.replace('.', '')}{i}"
            cards.append(
                (
                    i,
                    p.name,
                    p.headline,
                    p.company,
                    f"{handle}.{i}@example.com",
                    f"+1 415 555 {i % 10000:04d}",
                    linkedin if rng.random() < 0.6 else "",
                    p.looking_for,
                    p.can_help_with,
                )
            )
        await conn.copy_records_to_table(
            "cards",
            columns=[
                "account_id",
                "name",
                "headline",
                "company",
                "email",
                "phone",
                "linkedin",
                "looking_for",
                "can_help_with",
            ],
            records=cards,
            timeout=SEED_TIMEOUT,
        )
        by_reach = {way: [i for i, r in enumerate(reach, start=1) if r == way] for way in REACH}
        await conn.execute(
            "UPDATE accounts SET reminders_by = 'both' WHERE id = ANY($1::bigint[])",
            by_reach["both"],
        )
        # An address is confirmed for those who want email; "none" never confirmed theirs.
        await conn.execute(
            "INSERT INTO email_addresses (address, confirmed_at, last_first_mail_at)"
            " SELECT lower(email), CASE WHEN account_id = ANY($2::bigint[])"
            "        THEN now() - interval '30 days' END, now() - interval '30 days'"
            " FROM cards WHERE account_id = ANY($1::bigint[])",
            by_reach["email"] + by_reach["both"] + by_reach["none"],
            by_reach["email"] + by_reach["both"],
            timeout=SEED_TIMEOUT,
        )
        await conn.execute(
            "INSERT INTO address_confirmations (address, account_id, confirmed_at)"
            " SELECT lower(email), account_id, now() - interval '30 days'"
            " FROM cards WHERE account_id = ANY($1::bigint[])",
            by_reach["email"] + by_reach["both"],
            timeout=SEED_TIMEOUT,
        )
        event_id = await insert_event(
            conn,
            organizer_id=1,
            name=EVENT_NAME,
            venue="Hall 4, Messe",
            starts_at=starts,
            ends_at=now + timedelta(hours=1),
            join_code="ABC234",
        )
        await conn.copy_records_to_table(
            "event_attendees",
            columns=["event_id", "account_id", "joined_at", "listed"],
            records=[
                (event_id, i, starts + timedelta(seconds=rng.uniform(0, 7200)), rng.random() < 0.92)
                for i in range(1, n + 1)
            ],
            timeout=SEED_TIMEOUT,
        )
        pairs = swap_pairs(n, swaps, rng)
        await conn.execute(
            SWAPS,
            [a for a, _ in pairs],
            [b for _, b in pairs],
            starts,
            event_id,
            timeout=SEED_TIMEOUT,
        )
        # One follow-up per side; about 30% done. Open ones fall due tomorrow, so the
        # worker's enqueue_due finds nothing and only digests are delivered.
        await conn.execute(
            "INSERT INTO followups (contact_id, owner_id, due_at, status, done_at)"
            " SELECT id, owner_id, met_at + interval '1 day',"
            "        CASE WHEN (id * 7919) % 10 < 3 THEN 'done' ELSE 'open' END,"
            "        CASE WHEN (id * 7919) % 10 < 3 THEN met_at + interval '10 minutes' END"
            " FROM contacts",
            timeout=SEED_TIMEOUT,
        )
        # As at 10,000 attendees (300 blocks, 3,000 requests), in proportion.
        blocks, requests = max(3, n * 3 // 100), max(30, n * 3 // 10)
        others: set[tuple[int, int]] = set()
        while len(others) < blocks + requests:
            a, b = rng.sample(range(1, n + 1), 2)
            others.add((min(a, b), max(a, b)))
        ordered = sorted(others)
        await conn.copy_records_to_table(
            "blocks", columns=["blocker_id", "blocked_id"], records=ordered[:blocks]
        )
        statuses = ["pending"] * 6 + ["declined"] * 2 + ["accepted"] * 2
        await conn.copy_records_to_table(
            "connect_requests",
            columns=["event_id", "from_id", "to_id", "status"],
            records=[
                (event_id, *(pair if rng.random() < 0.5 else pair[::-1]), rng.choice(statuses))
                for pair in ordered[blocks:]
            ],
            timeout=SEED_TIMEOUT,
        )
        devices = by_reach["push"] + by_reach["both"]
        # Each phone signed in: reminders go only to devices whose session is in use
        # (reminder_devices() in logic.sql).
        signed_in = dict(
            await conn.fetch(
                "INSERT INTO sessions (token_hash, account_id)"
                " SELECT sha256(('bench-' || a)::bytea), a FROM unnest($1::bigint[]) a"
                " RETURNING account_id, id",
                sorted(devices),
                timeout=SEED_TIMEOUT,
            )
        )
        await conn.copy_records_to_table(
            "push_subscriptions",
            columns=["account_id", "endpoint", "p256dh", "auth", "device", "session_id"],
            records=[
                (i, s["endpoint"], s["p256dh"], s["auth"], "Bench phone", signed_in[i])
                for i, s in zip(sorted(devices), subscriptions, strict=True)
            ],
            timeout=SEED_TIMEOUT,
        )
    return int(event_id)


async def seed_small_event(pool: Any, attendees: int, size: int) -> tuple[int, list[int]]:
    """The small event: ``size`` of the ``attendees`` accounts (a fixed draw), all listed,
    on now as the big one is; its id and its people."""
    people = sorted(random.Random(SEED + 4).sample(range(1, attendees + 1), size))
    now = datetime.now(UTC)
    async with pool.acquire() as conn, conn.transaction():
        event_id = await insert_event(
            conn,
            organizer_id=people[0],
            name=SMALL_EVENT_NAME,
            venue="Café Lumen",
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(hours=1),
            join_code="SMQ234",
        )
        await conn.execute(
            "INSERT INTO event_attendees (event_id, account_id)"
            " SELECT $1, a FROM unnest($2::bigint[]) a",
            event_id,
            people,
        )
    return event_id, people


# -- timing ------------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


@dataclass
class Timing:
    label: str
    ms: list[float]
    rows: list[int]
    cpu: dict[str, float] | None = None

    @property
    def p50(self) -> float:
        return percentile(self.ms, 50)

    @property
    def p99(self) -> float:
        return percentile(self.ms, 99)

    def line(self, width: int = 34) -> str:
        return (
            f"{self.label:<{width}} {len(self.ms):>5}  {self.p50:>7.2f} {self.p99:>7.2f}"
            f" {max(self.ms):>7.2f}  {mean(self.rows):>6.0f}"
        )


def mean(values: Sequence[int]) -> float:
    return sum(values) / len(values) if values else 0.0


async def timed(conn: Any, sql: str, *args: Any) -> tuple[float, int]:
    start = time.perf_counter()
    rows = await conn.fetch(sql, *args)
    return 1000 * (time.perf_counter() - start), len(rows)


def typing_steps(word: str, start: int = 1) -> list[str]:
    return [word[:k] for k in range(start, len(word) + 1)]


def typed_strings(people: list[Person]) -> dict[str, list[str]]:
    """What people type, step by step, grouped as in the report."""
    firms = Counter(p.company for p in people if p.company)
    firm_word = re.findall(r"[a-z]+", firms.most_common(1)[0][0].lower())[0]
    # A common first name that does not start as the company word does.
    first = next(
        name.lower()
        for name, _ in Counter(p.first for p in people).most_common()
        if name[:2].lower() != firm_word[:2]
    )
    return {
        "recruiter": typing_steps("recruiter", 1)[:6],
        f"first name ({first})": typing_steps(first, 2),
        f"company ({firm_word})": typing_steps(firm_word, 2),
        "sector (fintech)": typing_steps("fintech", 3),
        "two words": ["mar rec", "mar recr", "da fin"],
    }


async def bench_roster(
    conn: Any,
    sql: Queries,
    event_id: int,
    viewers: list[int],
    first_page_viewers: list[int],
    typing: dict[str, list[str]],
    meter: CpuMeter,
) -> tuple[dict[str, Timing], Timing, Timing]:
    roster = sql["events.roster"]

    def args(viewer: int, query: str | None) -> list[Any]:
        return sql.args(
            "events.roster",
            {"event_id": event_id, "viewer_id": viewer, "query": query, **FIRST_PAGE},
        )

    for viewer in viewers[:WARMUP]:
        await conn.fetch(roster, *args(viewer, None))
        await conn.fetch(roster, *args(viewer, events.prefix_query("rec")))
    per_string: dict[str, Timing] = {}
    start = meter.mark()
    for viewer in viewers:
        for steps in typing.values():
            for typed in steps:
                ms, rows = await timed(conn, roster, *args(viewer, events.prefix_query(typed)))
                timing = per_string.setdefault(typed, Timing(repr(typed), [], []))
                timing.ms.append(ms)
                timing.rows.append(rows)
    every = Timing("roster search, all typed prefixes", [], [], meter.between(start, meter.mark()))
    for timing in per_string.values():
        every.ms += timing.ms
        every.rows += timing.rows
    first_page = Timing("roster first page (no search)", [], [])
    start = meter.mark()
    for viewer in first_page_viewers:
        ms, rows = await timed(conn, roster, *args(viewer, None))
        first_page.ms.append(ms)
        first_page.rows.append(rows)
    first_page.cpu = meter.between(start, meter.mark())
    return per_string, every, first_page


async def bench_matches(
    conn: Any, sql: Queries, event_id: int, viewers: list[int], meter: CpuMeter
) -> Timing:
    query = sql["matches.for_me"]

    def args(viewer: int) -> list[Any]:
        return sql.args("matches.for_me", {"event_id": event_id, "viewer_id": viewer})

    for viewer in viewers[:WARMUP]:
        await conn.fetch(query, *args(viewer))
    timing = Timing("people who can help you (for_me)", [], [])
    start = meter.mark()
    for viewer in viewers:
        ms, rows = await timed(conn, query, *args(viewer))
        timing.ms.append(ms)
        timing.rows.append(rows)
    timing.cpu = meter.between(start, meter.mark())
    return timing


async def matched_counts(conn: Any, event_id: int, typed: Iterable[str]) -> dict[str, int]:
    """How many listed attendees each typed prefix matches (untimed, for the report)."""
    counts = {}
    for text in typed:
        counts[text] = await conn.fetchval(
            "SELECT count(*) FROM event_attendees ea JOIN cards c USING (account_id)"
            " WHERE ea.event_id = $1 AND ea.listed AND c.search @@ to_tsquery('simple', $2)",
            event_id,
            events.prefix_query(text),
        )
    return counts


async def matches_sizes(conn: Any, event_id: int, viewers: list[int]) -> list[int]:
    """Per viewer, how many attendees the two directions match before LIMIT 60."""
    rows = await conn.fetch(
        """
        WITH me AS (
            SELECT account_id,
                   (SELECT to_tsquery('simple', string_agg(quote_literal(w), ' | '))
                    FROM unnest(tsvector_to_array(needs)) w) AS my_needs,
                   (SELECT to_tsquery('simple', string_agg(quote_literal(w), ' | '))
                    FROM unnest(tsvector_to_array(offers)) w) AS my_offers
            FROM cards WHERE account_id = ANY($2::bigint[])
        )
        SELECT me.account_id,
               (SELECT count(*) FROM event_attendees ea JOIN cards c USING (account_id)
                WHERE ea.event_id = $1 AND ea.listed AND c.offers @@ me.my_needs)
             + (SELECT count(*) FROM event_attendees ea JOIN cards c USING (account_id)
                WHERE ea.event_id = $1 AND ea.listed AND c.needs @@ me.my_offers) AS matched
        FROM me
        """,
        event_id,
        viewers,
    )
    return [r["matched"] or 0 for r in rows]


# -- EXPLAIN -----------------------------------------------------------------------------

SCAN = re.compile(
    r"((?:Parallel )?(?:Seq Scan|Index Only Scan|Index Scan|Bitmap Index Scan|Bitmap Heap Scan)"
    r"(?: using \S+)? on \S+)"
)


def plan_summary(lines: list[str]) -> list[str]:
    top = lines[0].split("  (")[0].strip()
    timing = re.search(r"actual time=[\d.]+\.\.([\d.]+) rows=(\d+)", lines[0])
    buffers = next((ln.strip() for ln in lines[1:4] if ln.strip().startswith("Buffers:")), "")
    scans: Counter[str] = Counter()
    for line in lines:
        found = SCAN.search(line)
        if found:
            loops = re.search(r"loops=(\d+)", line)
            rows = re.search(r"actual time=\S+ rows=(\d+)", line)
            key = found.group(1)
            if rows and loops:
                key += f" (rows={rows.group(1)} loops={loops.group(1)})"
            scans[key] += 1
    sorts = [ln.strip() for ln in lines if "Sort Method" in ln]
    headline = f"top: {top}"
    if timing:
        headline += f" (actual total {timing.group(1)} ms, rows={timing.group(2)})"
    out = [headline]
    if buffers:
        out.append(buffers)
    out += [f"scan: {scan}" + (f" x{n}" if n > 1 else "") for scan, n in scans.items()]
    out += [f"sort: {s}" for s in sorts[:2]]
    out += [ln.strip() for ln in lines if ln.startswith(("Planning Time", "Execution Time"))]
    return out


def literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


async def explain(conn: Any, name: str, query: str, args: list[Any]) -> dict[str, list[str]]:
    """The custom and the generic plan of a prepared ``query``, run with ``args``."""
    plans = {}
    await conn.execute(f"PREPARE {name} AS {query}")
    try:
        for mode in ("force_custom_plan", "force_generic_plan"):
            await conn.execute(f"SET plan_cache_mode = {mode}")
            execute = f"EXECUTE {name}({', '.join(literal(a) for a in args)})"
            rows = await conn.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {execute}")
            lines = [r[0] for r in rows]
            # Per-node timing reads the clock twice a row, costly on some VMs: the time
            # without it is nearer what the query costs.
            rows = await conn.fetch(f"EXPLAIN (ANALYZE, TIMING OFF) {execute}")
            lines += [f"{r[0]} (TIMING OFF)" for r in rows if r[0].startswith("Execution")]
            plans[mode.split("_")[1]] = lines
    finally:
        await conn.execute("RESET plan_cache_mode")
        await conn.execute(f"DEALLOCATE {name}")
    return plans


async def prepared_plans(conn: Any, queries: dict[str, str]) -> dict[str, tuple[int, int]]:
    """How many generic and custom plans the app-style prepared statements ran."""
    rows = await conn.fetch(
        "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements"
    )
    found = {}
    for label, query in queries.items():
        for row in rows:
            if row["statement"].strip() == query.strip():
                found[label] = (row["generic_plans"], row["custom_plans"])
    return found


# -- the digest --------------------------------------------------------------------------


@dataclass
class DigestRun:
    enqueued: int
    enqueue_seconds: float
    pushed: int
    push_seconds: float
    mailed: int
    mail_seconds: float
    passes: int
    cpu: dict[str, float]

    @property
    def deliver_seconds(self) -> float:
        return max(self.push_seconds, self.mail_seconds)


def cpu_line(cpu: dict[str, float], service: bool = False) -> str:
    line = f"cpu, % of one core: bench {cpu['bench']:.0f}, PostgreSQL {cpu['db']:.0f}"
    if service:
        line += f", push service {cpu['service']:.0f}"
    if "workers" in cpu:
        line += f", worker processes {cpu['workers']:.0f}"
    return line + f", other processes {cpu['other']:.0f} (of {100 * (os.cpu_count() or 1)})"


async def drain(run_once: Any, expected: int, deadline: float) -> tuple[int, float, int]:
    """Loop a worker's ``run_once()`` until it handled ``expected``: how many, the seconds
    it took, and the passes."""
    start = time.perf_counter()
    handled = passes = 0
    while handled < expected:
        got = await run_once()
        passes += 1
        handled += got
        if got == 0:
            if time.perf_counter() > deadline:
                break
            await asyncio.sleep(0.01)
    return handled, time.perf_counter() - start, passes


@contextlib.asynccontextmanager
async def worker_processes(settings: Any, count: int) -> AsyncIterator[list[psutil.Process]]:
    """``count`` ``python -m server worker`` processes on the bench's database and local
    services, started and ready (their digest delay left at an hour, so the digest is the
    bench's to enqueue, timed), stopped with SIGTERM afterwards."""
    if not count:
        yield []
        return
    env = {
        **os.environ,
        "REACHOUT_ENV": "test",
        "SECRET_KEY": settings.secret_key,
        "DATABASE_URL": settings.database_url,
        "VAPID_SUBJECT": settings.vapid_subject,
        "PUSH_CA_FILE": settings.push_ca_file or "",
        "WORKER_CONCURRENCY": str(settings.worker_concurrency),
        "SMTP_URL": settings.smtp_url,
        "MAIL_FROM": settings.mail_from,
        "BASE_URL": settings.base_url,
        "DIGEST_DELAY_MINUTES": "60",
        "LOG_LEVEL": "INFO",
    }
    started = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "server",
            "worker",
            env=env,
            cwd=PROJECT_ROOT,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(count)
    ]
    drains: list[asyncio.Task[None]] = []
    try:
        for process in started:
            assert process.stderr is not None
            while b"worker started" not in (line := await process.stderr.readline()):
                if not line:
                    raise RuntimeError("a worker process stopped before it started")
        # Their logs are read (and dropped) so a full pipe never stops them.
        drains += [asyncio.create_task(_discard(p.stderr)) for p in started if p.stderr]
        yield [psutil.Process(p.pid) for p in started]
    finally:
        for process in started:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        for process in started:
            await process.wait()
    for task in drains:
        await task


async def _discard(stream: asyncio.StreamReader) -> None:
    while await stream.read(65536):
        pass


async def until_sent(
    pool: Any, expected: tuple[int, int], deadline: float
) -> tuple[tuple[int, float], tuple[int, float]]:
    """Watch the database until every digest push and email is sent (or ``deadline``): how
    many of each, and when each kind was all sent, in seconds from now."""
    start = time.perf_counter()
    done: list[tuple[int, float] | None] = [None, None]
    counts = (0, 0)
    while None in done and time.perf_counter() < deadline:
        row = await pool.fetchrow(
            "SELECT (SELECT count(*) FROM deliveries WHERE status = 'sent') AS pushed,"
            " (SELECT count(*) FROM emails WHERE kind = 'digest' AND status = 'sent') AS mailed"
        )
        counts = (row["pushed"], row["mailed"])
        for i in (0, 1):
            if done[i] is None and counts[i] >= expected[i]:
                done[i] = (counts[i], time.perf_counter() - start)
        await asyncio.sleep(0.05)
    seconds = time.perf_counter() - start
    return done[0] or (counts[0], seconds), done[1] or (counts[1], seconds)


async def run_digest(
    database_url: str,
    sql: Queries,
    keys: push.VapidKeys,
    service: Service,
    sink: ProcessMailSink,
    event_id: int,
    expected: tuple[int, int],
    args: argparse.Namespace,
    tmp: Path,
    meter: CpuMeter,
) -> DigestRun:
    """The push worker and the mail worker as ``python -m server worker`` builds them (one
    pool of 6, MAIL_CONNECTIONS SMTP connections), side by side in this process."""
    from starlette.routing import Router

    from server.app import ROUTES

    settings = load_settings(
        {
            "REACHOUT_ENV": "test",
            "SECRET_KEY": SECRET_KEY,
            "REACHOUT_DATA_DIR": str(tmp),
            "DATABASE_URL": database_url,
            "VAPID_SUBJECT": SUBJECT,
            "PUSH_CA_FILE": service.ca_file,
            "WORKER_CONCURRENCY": str(args.concurrency),
            "SMTP_URL": sink.url,
            "MAIL_FROM": MAIL_FROM,
            "BASE_URL": BASE_URL,
        }
    )
    pool = await create_pool(
        database_url, max_size=WORKER_POOL_SIZE, application_name="reachout-worker"
    )
    mail_sender = MailSender(
        settings.smtp_url, parseaddr(settings.mail_from)[1], connections=MAIL_CONNECTIONS
    )
    try:
        await pool.execute(
            "UPDATE events SET ends_at = now() - interval '1 minute' WHERE id = $1", event_id
        )
        await pool.execute(  # they joined while it was on: after its end, no digest
            "UPDATE event_attendees SET joined_at = now() - interval '2 hours' WHERE event_id = $1",
            event_id,
        )
        async with push_client(settings, settings.worker_concurrency) as http:
            worker = Worker(
                pool=pool,
                sql=sql,
                sender=push.PushSender(keys, settings.vapid_subject, http),
                paths=Paths(Router(routes=ROUTES), settings.secret_key),
                concurrency=settings.worker_concurrency,
                batch=args.batch,
                lease_seconds=settings.worker_lease_seconds,
                digest_delay_seconds=0,
            )
            mail = MailWorker(
                pool=pool,
                sql=sql,
                sender=mail_sender,
                composer=Composer(
                    settings.mail_from,
                    MailLinks(Urls(ROUTES), settings.base_url, settings.secret_key),
                ),
                lease_seconds=settings.worker_lease_seconds,
            )
            async with worker_processes(settings, args.worker_processes) as processes:
                start = time.perf_counter()
                enqueued = await worker.enqueue_digests()
                enqueue_seconds = time.perf_counter() - start

                begin = meter.mark()
                # The delivery's CPU, not the processes' start-up: counted from here.
                workers_before = sum(cpu_seconds(p) for p in processes)
                deadline = begin[0] + DELIVERY_DEADLINE
                if processes:
                    (pushed, push_seconds), (mailed, mail_seconds) = await until_sent(
                        pool, expected, deadline
                    )
                    push_passes = mail_passes = 0
                else:
                    (
                        (pushed, push_seconds, push_passes),
                        (mailed, mail_seconds, mail_passes),
                    ) = await asyncio.gather(
                        drain(worker.run_once, expected[0], deadline),
                        drain(mail.run_once, expected[1], deadline),
                    )
                end = meter.mark()
                workers_cpu = sum(cpu_seconds(p) for p in processes) - workers_before
    finally:
        await mail_sender.close()
        await pool.close()
    cpu = CpuMeter.between(begin, end)
    if processes:
        cpu["workers"] = 100 * workers_cpu / (end[0] - begin[0])
        cpu["other"] = max(0.0, cpu["other"] - cpu["workers"])
    return DigestRun(
        enqueued,
        enqueue_seconds,
        pushed,
        push_seconds,
        mailed,
        mail_seconds,
        push_passes + mail_passes,
        cpu,
    )


async def check_digest(
    pool: Any, service: Service, event_id: int, n: int, paths: Paths
) -> tuple[list[str], Counter[str]]:
    """One accepted message per attendee at their own device, worded for their counts."""
    problems = []
    statuses = dict(await pool.fetch("SELECT status, count(*) FROM deliveries GROUP BY status"))
    if statuses != {"sent": n}:
        problems.append(f"deliveries are {statuses}, expected sent x{n}")
    stats = await service.stats()
    if stats["statuses"] != {"201": n}:
        problems.append(f"push service answered {stats['statuses']}, expected 201 x{n}")
    if stats["deferred_refused"]:
        problems.append(f"refused by the deferred checks: {stats['deferred_refused']}")
    if len(stats["received"]) != n:
        problems.append(f"{len(stats['received'])} messages accepted, expected {n}")
    # Counted here, independently of the claim query's subqueries.
    rows = await pool.fetch(
        """
        SELECT s.endpoint, d.id AS delivery, ea.account_id,
               (SELECT count(*) FROM contacts x
                WHERE x.owner_id = ea.account_id AND x.event_id = $1) AS met,
               (SELECT count(*) FROM contacts x JOIN followups f ON f.contact_id = x.id
                WHERE x.owner_id = ea.account_id AND x.event_id = $1
                  AND f.status = 'open') AS waiting
        FROM event_attendees ea
        JOIN push_subscriptions s ON s.account_id = ea.account_id
        LEFT JOIN deliveries d ON d.digest_event_id = $1 AND d.digest_account_id = ea.account_id
        WHERE ea.event_id = $1
        """,
        event_id,
    )
    want = {r["endpoint"].rsplit("/", 1)[-1]: r for r in rows}
    seen: Counter[str] = Counter()
    wrong = 0
    urgencies: Counter[str] = Counter()
    for sub, delivery, _topic, urgency, payload in stats["received"]:
        seen[sub] += 1
        urgencies[str(urgency)] += 1
        row = want.get(sub)
        if row is None or row["delivery"] != delivery:
            wrong += 1
            continue
        expect = notification(
            {
                "id": delivery,
                "request_id": None,
                "digest_event_id": event_id,
                "digest_account_id": row["account_id"],
                "digest_event_name": EVENT_NAME,
                "digest_met": row["met"],
                "digest_waiting": row["waiting"],
            },
            paths=paths,
            now=datetime.now(UTC),
        )
        got = json.loads(payload)
        if any(got.get(k) != expect[k] for k in ("title", "body", "tag", "url")):
            wrong += 1
    repeated = sum(1 for c in seen.values() if c > 1)
    missing = len(set(want) - set(seen))
    if wrong or repeated or missing:
        problems.append(
            f"digests: {wrong} wrong (wrong device, delivery or wording), {repeated} devices"
            f" got more than one, {missing} got none"
        )
    if urgencies != Counter({"low": n}):
        problems.append(f"urgencies {dict(urgencies)}, expected low x{n}")
    return problems, Counter("met nobody" if r["met"] == 0 else "met someone" for r in rows)


# -- main --------------------------------------------------------------------------------


def aim(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


@dataclass
class Figures:
    """One size's figures, for the growth table."""

    attendees: int
    swaps: int
    contacts: int
    seed_seconds: float
    values: dict[str, float]


async def run_size(args: argparse.Namespace) -> tuple[int, Figures]:
    from starlette.routing import Router

    from server.app import ROUTES

    started = time.perf_counter()
    problems: list[str] = []
    rng = random.Random(SEED)
    people = make_people(args.attendees, rng)
    reach = reach_of(args.attendees, random.Random(SEED + 3))
    reached = Counter(reach)
    pushes, mails = reached["push"] + reached["both"], reached["email"] + reached["both"]
    sql = Queries()
    out: list[str] = []
    with tempfile.TemporaryDirectory(prefix="reachout-bench-events-") as tmpdir:
        tmp = Path(tmpdir)
        async with (
            bench_database(tmp / "pg") as database,
            push_service(in_process=args.service == "inprocess") as service,
            mail_sink() as sink,
        ):
            pool = await create_pool(database.url)
            try:
                async with pool.acquire() as conn:
                    await apply_migrations(conn)
                keys = await push.load_keys(pool, None)
                await service.configure(
                    expected_public_key=keys.application_server_key,
                    defer=args.checks == "deferred",
                    latency=args.latency,
                )
                subscriptions = await service.subscribe(pushes)
                t = time.perf_counter()
                event_id = await seed(pool, people, reach, subscriptions, args.swaps)
                person = await seed_person(
                    pool, min(args.contacts, args.attendees), datetime.now(UTC)
                )
                small_id, small_people = await seed_small_event(
                    pool, args.attendees, min(args.small_event, args.attendees)
                )
                await pool.execute("VACUUM (ANALYZE)", timeout=SEED_TIMEOUT)
                seed_seconds = time.perf_counter() - t
                counts = await pool.fetchrow(
                    "SELECT (SELECT count(*) FROM cards) AS cards,"
                    " (SELECT count(*) FROM event_attendees WHERE listed) AS listed,"
                    " (SELECT count(*) FROM contacts) AS contacts,"
                    " (SELECT count(*) FROM followups WHERE status = 'open') AS open,"
                    " (SELECT count(*) FROM push_subscriptions) AS subs,"
                    " pg_size_pretty(pg_total_relation_size('cards')) AS cards_size,"
                    " pg_size_pretty(pg_database_size(current_database())) AS db_size,"
                    " current_setting('server_version') AS pg"
                )
                assert counts is not None
                log(f"seeded in {seed_seconds:.1f} s: {dict(counts)}")

                listed = [
                    r["account_id"]
                    for r in await pool.fetch(
                        "SELECT account_id FROM event_attendees WHERE event_id = $1 AND listed"
                        " ORDER BY account_id",
                        event_id,
                    )
                ]
                pick = random.Random(SEED + 2)
                everyone = list(range(1, args.attendees + 1))
                roster_viewers = pick.sample(everyone, args.roster_viewers)
                first_page_viewers = pick.sample(everyone, args.first_page_viewers)
                match_viewers = pick.sample(everyone, args.matches_viewers)
                small_viewers = random.Random(SEED + 5).sample(
                    small_people, min(args.small_event_viewers, len(small_people))
                )
                typing = typed_strings(people)
                all_typed = [s for steps in typing.values() for s in steps]

                meter = CpuMeter(service.pid if service.separate else None, database.postmaster_pid)
                async with pool.acquire() as conn:
                    per_string, every, first_page = await bench_roster(
                        conn, sql, event_id, roster_viewers, first_page_viewers, typing, meter
                    )
                    small_per_string, small_every, small_first = await bench_roster(
                        conn, sql, small_id, small_viewers, small_viewers, typing, meter
                    )
                    matches = await bench_matches(conn, sql, event_id, match_viewers, meter)
                    start = meter.mark()
                    samples = await time_contacts(conn, sql, person, runs=args.contacts_runs)
                    contacts_cpu = meter.between(start, meter.mark())
                    plan_use = await prepared_plans(
                        conn,
                        {
                            "roster": sql["events.roster"],
                            "matches": sql["matches.for_me"],
                            "contacts": sql["contacts.search"],
                        },
                    )
                    matched = await matched_counts(conn, event_id, all_typed)
                    sizes = await matches_sizes(conn, event_id, match_viewers)
                    # The slowest viewer's matches and the "r" search, explained.
                    slow = match_viewers[matches.ms.index(max(matches.ms))]
                    viewer = roster_viewers[0]
                    roster_plans = await explain(
                        conn,
                        "bench_roster",
                        sql["events.roster"],
                        sql.args(
                            "events.roster",
                            {
                                "event_id": event_id,
                                "viewer_id": viewer,
                                "query": events.prefix_query("re"),
                                **FIRST_PAGE,
                            },
                        ),
                    )
                    page_plans = await explain(
                        conn,
                        "bench_page",
                        sql["events.roster"],
                        sql.args(
                            "events.roster",
                            {
                                "event_id": event_id,
                                "viewer_id": viewer,
                                "query": None,
                                **FIRST_PAGE,
                            },
                        ),
                    )
                    small_plans = await explain(
                        conn,
                        "bench_small",
                        sql["events.roster"],
                        sql.args(
                            "events.roster",
                            {
                                "event_id": small_id,
                                "viewer_id": small_viewers[0],
                                "query": events.prefix_query("re"),
                                **FIRST_PAGE,
                            },
                        ),
                    )
                    matches_plans = await explain(
                        conn,
                        "bench_matches",
                        sql["matches.for_me"],
                        sql.args("matches.for_me", {"event_id": event_id, "viewer_id": slow}),
                    )
                    search_plans = await explain(
                        conn,
                        "bench_contacts",
                        sql["contacts.search"],
                        sql.args(
                            "contacts.search",
                            {
                                "owner_id": person.account_id,
                                "pattern": like_pattern("mar"),
                                "event_id": None,
                                "after_tier": None,
                                "after_at": None,
                                "after_id": None,
                                "limit": pages.PAGE_SIZE + 1,
                            },
                        ),
                    )
                    slow_card = await conn.fetchrow(
                        "SELECT looking_for, can_help_with FROM cards WHERE account_id = $1",
                        slow,
                    )
                    assert slow_card is not None
                    # Timed: the digest after is the big event's alone, as before it was.
                    await conn.execute("DELETE FROM events WHERE id = $1", small_id)

                log("roster, matches and contacts timed; now the exports")
                exports, found = await run_exports(database, tmp, person)
                problems += found
                log("now the digest")
                digest = await run_digest(
                    database.url,
                    sql,
                    keys,
                    service,
                    sink,
                    event_id,
                    (pushes, mails),
                    args,
                    tmp,
                    meter,
                )
                found, titles = await check_digest(
                    pool,
                    service,
                    event_id,
                    pushes,
                    Paths(Router(routes=ROUTES), SECRET_KEY),
                )
                problems += found
                emails = {
                    r["status"]: r["n"]
                    for r in await pool.fetch(
                        "SELECT status, count(*) AS n FROM emails GROUP BY status"
                    )
                }
                if emails != ({"sent": mails} if mails else {}):
                    problems.append(f"emails are {emails}, expected sent x{mails}")
                problems += await check_sink(
                    pool, sink, what="digest email", kind="digest", attachment=None
                )
                if digest.enqueued != args.attendees:
                    problems.append(f"enqueue_digests took {digest.enqueued}, not {args.attendees}")
            finally:
                await pool.close()

    width = 34
    header = f"{'':<{width}} {'runs':>5}  {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7}  {'rows':>6}"
    out.append("")
    out.append(
        f"Reachout event benchmark: {args.attendees:,} attendees"
        f" ({len(listed):,} listed), {args.swaps:,} two-way swaps"
        f" ({counts['contacts']:,} contacts rows, {counts['open']:,} follow-ups open),"
        f" {counts['subs']:,} push subscriptions; one more person with"
        f" {person.contacts:,} contacts"
    )
    out.append(
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()},"
        f" PostgreSQL {counts['pg']}; cards table {counts['cards_size']}, database"
        f" {counts['db_size']}; seeded in {seed_seconds:.1f} s; timings are one connection's"
        " fetch() round trips, prepared as the app's pool does"
    )
    out.append("")
    out.append(
        "Roster search as you type (events.roster with events.prefix_query(typed) as :query)"
    )
    out.append(f"  {header}   matches")
    for group, steps in typing.items():
        out.append(f"  {group}")
        for typed in steps:
            out.append(f"    {per_string[typed].line(width - 2)}   {matched[typed]:>7,}")
    out.append(f"  {every.line(width)}")
    out.append(f"  {first_page.line(width)}")
    assert every.cpu is not None and first_page.cpu is not None and matches.cpu is not None
    out.append(f"  search {cpu_line(every.cpu)}")
    out.append(f"  first page {cpu_line(first_page.cpu)}")
    out.append("")
    out.append(
        f"Roster search as you type at the small event: {len(small_people):,} attendees among"
        f" all {counts['cards']:,} cards ({len(small_viewers)} of them, each typing every step"
        " above)"
    )
    out.append(f"  {header}")
    out.append(f"  {small_every.line(width)}")
    out.append(f"  {small_first.line(width)}")
    slowest = sorted(small_per_string.values(), key=lambda t: t.p50, reverse=True)[:3]
    out.append("  slowest typed, p50: " + ", ".join(f"{t.label} {t.p50:.1f} ms" for t in slowest))
    assert small_every.cpu is not None
    out.append(f"  search {cpu_line(small_every.cpu)}")
    out.append("")
    out.append("People who can help you (matches.for_me), one run per viewer")
    out.append(f"  {header}")
    out.append(f"  {matches.line(width)}")
    out.append(f"  {cpu_line(matches.cpu)}")
    out.append(
        f"  matched attendees per viewer before LIMIT 60 (both directions):"
        f" p50 {percentile(sizes, 50):,}, p99 {percentile(sizes, 99):,}, max {max(sizes):,}"
    )
    for label, (generic, custom) in plan_use.items():
        out.append(f"  prepared {label} statement ran {generic} generic and {custom} custom plans")
    out.append("")
    contacts_timings = {
        label: Timing(label, sample.ms, sample.rows) for label, sample in samples.items()
    }
    out.append(
        f"A long memory: one person with {person.contacts:,} contacts (contacts.search as the"
        " contacts page runs it, 50 a page and one more)"
    )
    out.append(f"  {header}")
    out += [f"  {timing.line(width)}" for timing in contacts_timings.values()]
    out.append(f"  {cpu_line(contacts_cpu)}")
    out.append(
        "  export, from the real web server (one process; bench/export.py's download):"
        " seconds request to last byte"
    )
    for run in exports:
        out.append(
            f"    {run.name:<6} {run.seconds:>6.2f} s, {run.file_bytes / 1e6:>6.1f} MB,"
            f" web CPU {run.cpu_seconds:.2f} s, peak {run.peak_mb:.0f} MB"
        )
    out.append("")
    explained = [
        (f"roster search 're' (viewer {viewer})", roster_plans),
        (f"roster first page (viewer {viewer})", page_plans),
        (
            f"roster search 're' at the small event ({len(small_people)} attendees,"
            f" viewer {small_viewers[0]})",
            small_plans,
        ),
        (
            f"matches for the slowest viewer ({slow}: looking for {slow_card['looking_for']!r},"
            f" can help with {slow_card['can_help_with']!r})",
            matches_plans,
        ),
        (f"contacts search 'mar' ({person.contacts:,} contacts)", search_plans),
    ]
    for title, plans in explained:
        out.append(f"EXPLAIN (ANALYZE, BUFFERS) {title}")
        for mode, lines in plans.items():
            out.append(f"  {mode} plan:")
            out += [f"    {line}" for line in plan_summary(lines)]
            if args.explain_full:
                out += [f"      | {line}" for line in lines]
    out.append("")
    where = "its own process" if service.separate else "this event loop"
    out.append(
        "Digest after the event: Worker.enqueue_digests() (digest_delay_seconds=0), then"
        + (
            f" {args.worker_processes} `python -m server worker` processes (each: push"
            f" concurrency {args.concurrency}, batch 256, {MAIL_CONNECTIONS} SMTP connections,"
            f" a pool of {WORKER_POOL_SIZE})"
            if args.worker_processes
            else f" the push worker's and the mail worker's run_once() looped side by side in this"
            f" process (push concurrency {args.concurrency}, batch {args.batch};"
            f" {MAIL_CONNECTIONS} SMTP connections; one pool of {WORKER_POOL_SIZE})"
        )
        + f" to the local push service in {where}"
        f" (latency {args.latency * 1000:.0f} ms, checks {args.checks}) and the local mail"
        " sink (aiosmtpd, its own process)"
    )
    out.append(
        "  attendees by how they want it: "
        + ", ".join(f"{way} {reached[way]:,} ({REACH[way]}%)" for way in REACH)
        + f"; so {pushes:,} pushes and {mails:,} emails"
    )
    out.append(
        f"  enqueue: {digest.enqueued:,} attendees in {digest.enqueue_seconds:.2f} s"
        f"   aim < {AIM_ENQUEUE_S:.0f} s: {aim(digest.enqueue_seconds < AIM_ENQUEUE_S)}"
    )
    for what, handled, seconds in (
        ("push", digest.pushed, digest.push_seconds),
        ("mail", digest.mailed, digest.mail_seconds),
    ):
        rate = handled / seconds if seconds else 0.0
        out.append(f"  {what}: {handled:,} in {seconds:.2f} s ({rate:,.0f}/s)")
    delivered = digest.pushed == pushes and digest.mailed == mails
    out.append(
        f"  delivered, both: {digest.deliver_seconds:.2f} s ({digest.passes} passes)"
        f"   aim < {AIM_DELIVER_S:.0f} s:"
        f" {aim(digest.deliver_seconds < AIM_DELIVER_S and delivered)}"
    )
    out.append(
        f"  delivery {cpu_line(digest.cpu, service=service.separate)} (the mail sink's is in other)"
    )
    out.append(f"  attendees with a device: {dict(titles)}")
    out.append("")
    typed_ok = every.p99 < AIM_QUERY_P99_MS
    out.append("Aims")
    out.append(f"  roster search p99 < {AIM_QUERY_P99_MS:g} ms: {every.p99:.1f} ms {aim(typed_ok)}")
    out.append(
        f"  roster first page p99 < {AIM_QUERY_P99_MS:g} ms: {first_page.p99:.1f} ms"
        f" {aim(first_page.p99 < AIM_QUERY_P99_MS)}"
    )
    out.append(
        f"  roster search at the small event p99 < {AIM_QUERY_P99_MS:g} ms:"
        f" {small_every.p99:.1f} ms {aim(small_every.p99 < AIM_QUERY_P99_MS)}"
    )
    out.append(
        f"  matches p99 < {AIM_QUERY_P99_MS:g} ms: {matches.p99:.1f} ms"
        f" {aim(matches.p99 < AIM_QUERY_P99_MS)}"
    )
    for label, timing in contacts_timings.items():
        out.append(
            f"  {label} p99 < {AIM_CONTACTS_P99_MS:g} ms: {timing.p99:.1f} ms"
            f" {aim(timing.p99 < AIM_CONTACTS_P99_MS)}"
        )
    for run in exports:
        out.append(
            f"  export {run.name} < {AIM_EXPORT_S:g} s: {run.seconds:.2f} s"
            f" {aim(run.seconds < AIM_EXPORT_S)}"
        )
    out.append(
        f"  digest enqueued < {AIM_ENQUEUE_S:g} s: {digest.enqueue_seconds:.2f} s"
        f" {aim(digest.enqueue_seconds < AIM_ENQUEUE_S)}; delivered < {AIM_DELIVER_S:g} s:"
        f" {digest.deliver_seconds:.2f} s {aim(digest.deliver_seconds < AIM_DELIVER_S)}"
    )
    noisy = {
        label: cpu["other"]
        for label, cpu in (
            ("roster search", every.cpu),
            ("small event search", small_every.cpu),
            ("first page", first_page.cpu),
            ("matches", matches.cpu),
            ("contacts", contacts_cpu),
            ("delivery", digest.cpu),
        )
        if cpu["other"] > NOISY_OTHER_PERCENT
    }
    if noisy:
        listed_noise = ", ".join(f"{k} {v:.0f}%" for k, v in noisy.items())
        out.append(
            f"WARNING: other processes used CPU while timing ({listed_noise} of one core),"
            " so the tails (p99) are inflated; run again on a quiet machine."
        )
    out.append(f"total run time {time.perf_counter() - started:.0f} s")
    for problem in problems:
        out.append(f"CHECK FAILED: {problem}")
    if not problems:
        out.append(
            f"checks: {args.attendees:,} attendees' digests: {pushes:,} pushes accepted (201),"
            " one per attendee with a device at their own subscription, verified and decrypted,"
            " worded for their counts, every delivery 'sent'; "
            f"{mails:,} emails 'sent', one message per address in the sink with its Message-ID,"
            " text and HTML; exports complete"
        )
    print("\n".join(out), flush=True)
    values = {
        "roster search p50": every.p50,
        "roster search p99": every.p99,
        "roster first page p99": first_page.p99,
        "small event roster search p50": small_every.p50,
        "small event roster search p99": small_every.p99,
        "matches p99": matches.p99,
        **{f"{label} p99": timing.p99 for label, timing in contacts_timings.items()},
        **{f"export {run.name} s": run.seconds for run in exports},
        "digest enqueue s": digest.enqueue_seconds,
        "digest push s": digest.push_seconds,
        "digest mail s": digest.mail_seconds,
        "seed s": seed_seconds,
    }
    return (1 if problems else 0), Figures(
        args.attendees, args.swaps, person.contacts, seed_seconds, values
    )


async def run_exports(
    database: Any, tmp: Path, person: ContactsPerson
) -> tuple[list[Any], list[str]]:
    """Each export of the person with many contacts, downloaded from the real web server."""
    runs = []
    problems = []
    seeded = Seeded(person.account_id, person.cookie, person.names, 0)
    async with web_server(database.url, tmp) as server:
        for name, path, extension in EXPORTS:
            run = await download(
                server,
                database.postmaster_pid,
                person.cookie,
                name,
                path,
                tmp / f"export.{extension}",
                "gzip",
            )
            runs.append(run)
            if run.status != 200:
                problems.append(f"export {name}: answered {run.status}")
            elif name == "vCard":
                problems += check_vcf(run.path, seeded, person.contacts, 20)
            elif name == "CSV":
                problems += check_csv(run.path, seeded, person.contacts)
            else:
                got = len(json.loads(run.path.read_bytes())["contacts"])
                if got != person.contacts:
                    problems.append(f"export JSON: {got} contacts, not {person.contacts}")
    return runs, problems


def growth_table(sizes: list[Figures]) -> list[str]:
    """Each figure at each size, and how it grows from one size to the next (x10 the work)."""
    names = list(sizes[0].values)
    heads = [f"{f.attendees:,} / {f.swaps:,} / {f.contacts:,}" for f in sizes]
    out = [
        "| figure | " + " | ".join(heads) + " | growth per x10 |",
        "| --- | " + " | ".join("---" for _ in sizes) + " | --- |",
    ]
    for name in names:
        values = [f.values[name] for f in sizes]
        unit = "s" if name.endswith(" s") else "ms"
        label = name.removesuffix(" s")
        steps = [b / a if a > 0 else 0.0 for a, b in itertools.pairwise(values)]
        out.append(
            f"| {label} | "
            + " | ".join(f"{v:.2f} {unit}" if unit == "s" else f"{v:.1f} ms" for v in values)
            + " | "
            + ", ".join(f"x{step:.1f}" for step in steps)
            + f" ({growth(steps)}) |"
        )
    return out


def growth(steps: list[float]) -> str:
    """A word for how a figure grows when the work grows tenfold at each step."""
    worst = max(steps)
    if worst < 1.6:
        return "flat"
    if worst < 4:
        return "sublinear"
    if worst < 16:
        return "linear"
    return "worse than linear"


async def main(args: argparse.Namespace) -> int:
    if not args.scale:
        code, _ = await run_size(args)
        return code
    code, sizes = 0, []
    for divisor in (100, 10, 1):
        size = argparse.Namespace(**vars(args))
        size.attendees = args.attendees // divisor
        size.swaps = args.swaps // divisor
        size.contacts = args.contacts // divisor
        size.roster_viewers = min(args.roster_viewers, size.attendees)
        size.first_page_viewers = min(args.first_page_viewers, size.attendees)
        size.matches_viewers = min(args.matches_viewers, size.attendees)
        log(f"size 1/{divisor}: {size.attendees} attendees")
        failed, figures = await run_size(size)
        code = max(code, failed)
        sizes.append(figures)
    print()
    print(
        "Cost as work grows: attendees / two-way swaps / contacts of the one person, each"
        " size a fresh database (p99 in ms of the queries as the app runs them; seconds)"
    )
    print("\n".join(growth_table(sizes)))
    return code


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--attendees", type=int, default=70_000)
    parser.add_argument("--swaps", type=int, default=500_000, help="two-way swaps (x2 rows)")
    parser.add_argument(
        "--contacts", type=int, default=10_000, help="contacts of the one person with many"
    )
    parser.add_argument(
        "--contacts-runs", type=int, default=200, help="runs of each contacts query, at least"
    )
    parser.add_argument(
        "--scale",
        action="store_true",
        help="run at 1/100, 1/10 and the whole size, then print how each figure grows",
    )
    parser.add_argument("--roster-viewers", type=int, default=30, help="each types every step")
    parser.add_argument("--first-page-viewers", type=int, default=200)
    parser.add_argument(
        "--small-event", type=int, default=30, help="attendees of the small event (among all)"
    )
    parser.add_argument(
        "--small-event-viewers", type=int, default=5, help="of them, each types every step"
    )
    parser.add_argument("--matches-viewers", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=128, help="worker concurrency")
    parser.add_argument("--batch", type=int, default=256, help="rows the worker claims at a time")
    parser.add_argument(
        "--worker-processes",
        type=int,
        default=0,
        help="deliver the digest with N `python -m server worker` processes (0: the workers"
        " in this process)",
    )
    parser.add_argument("--latency", type=float, default=0.05, help="push service, seconds")
    parser.add_argument("--service", choices=("process", "inprocess"), default="process")
    parser.add_argument("--checks", choices=("deferred", "inline"), default="deferred")
    parser.add_argument("--explain-full", action="store_true", help="print the whole plans")
    parser.add_argument(
        "--smoke", action="store_true", help="a tiny run (seconds) that checks it still works"
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.attendees, args.swaps, args.latency = 300, 600, 0.0
        args.contacts, args.contacts_runs = 120, 5
        args.roster_viewers, args.first_page_viewers, args.matches_viewers = 2, 5, 5
        args.small_event_viewers = 2
        args.concurrency, args.batch = 16, 64
    return args


if __name__ == "__main__":
    import uvloop

    sys.exit(uvloop.run(main(parse_args())))
