"""A long memory: one person with thousands of contacts, for bench/events.py.

``seed_person`` gives a new account (signed in, with a card) a contact with each of the
accounts 1..``contacts`` (already there, with their cards), met over the last years, half
of them at one of a dozen past events the person organised, a third with a note, each
with a follow-up (most done, the rest due tomorrow). ``time_contacts`` times
``contacts.search`` (the contacts page, its "Show more" pages, search as you type and the
event filter) and ``events.mine`` (the page's event menu) as the app runs them: the exact
text from server.db.Queries on one pooled connection (asyncpg's prepared statement), the
clock around each ``fetch``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from _seed import insert_accounts, insert_event, insert_sessions

from server.contacts.contacts import like_pattern
from server.db.queries import Queries
from server.web import pages

PAST_EVENTS = 12
SEED_TIMEOUT = 900
# One contact met every 83 minutes: 10,000 of them go back about 19 months.
CONTACTS = """
INSERT INTO contacts (owner_id, contact_id, met_at, event_id, note, promised)
SELECT $1, c, $3::timestamptz - c * interval '83 minutes',
       CASE WHEN c % 2 = 0 THEN ($4::bigint[])[1 + (c / 2) % cardinality($4::bigint[])] END,
       CASE WHEN c % 3 = 0 THEN 'Talked about pricing; knows two recruiters.' ELSE '' END,
       CASE WHEN c % 5 = 0 THEN 'an intro to a designer' ELSE '' END
FROM generate_series(1, $2) c
"""
FOLLOWUPS = """
INSERT INTO followups (contact_id, owner_id, due_at, status, done_at)
SELECT id, owner_id,
       CASE WHEN id % 4 = 0 THEN $2::timestamptz ELSE met_at END + interval '1 day',
       CASE WHEN id % 4 = 0 THEN 'open' ELSE 'done' END,
       CASE WHEN id % 4 = 0 THEN NULL ELSE met_at + interval '1 day' END
FROM contacts WHERE owner_id = $1
"""


@dataclass(frozen=True)
class Person:
    account_id: int
    cookie: str
    contacts: int
    event_ids: list[int]
    names: frozenset[str]


async def seed_person(pool: Any, contacts: int, now: datetime) -> Person:
    """The person, with a contact with each of accounts 1..``contacts``."""
    async with pool.acquire() as conn, conn.transaction():
        [person_id] = await insert_accounts(conn, 1, ["Europe/Berlin"])
        await conn.execute(
            "INSERT INTO cards (account_id, name, headline, email)"
            " VALUES ($1, 'Robin Achterberg', 'Head of partnerships', 'robin@example.com')",
            person_id,
        )
        event_ids = []
        for k in range(PAST_EVENTS):
            starts = now - (k + 1) * timedelta(days=365) / PAST_EVENTS
            event_ids.append(
                await insert_event(
                    conn,
                    organizer_id=person_id,
                    name=f"Partner Day {k + 1}",
                    venue="Pier 27",
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=8),
                    join_code=f"PAST{'23456789ABCDEFGH'[k]}2",
                )
            )
        await conn.execute(CONTACTS, person_id, contacts, now, event_ids, timeout=SEED_TIMEOUT)
        await conn.execute(FOLLOWUPS, person_id, now, timeout=SEED_TIMEOUT)
        [cookie] = await insert_sessions(conn, [person_id])
        names = frozenset(
            r["name"]
            for r in await conn.fetch(
                "SELECT c.name FROM contacts ct JOIN cards c ON c.account_id = ct.contact_id"
                " WHERE ct.owner_id = $1",
                person_id,
            )
        )
    return Person(person_id, cookie, contacts, event_ids, names)


@dataclass
class Sample:
    """One query's runs: milliseconds and rows returned, each run."""

    ms: list[float] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)


async def _timed(conn: Any, sql: Queries, name: str, sample: Sample, **params: Any) -> list[Any]:
    query, args = sql[name], sql.args(name, params)
    start = time.perf_counter()
    rows = await conn.fetch(query, *args)
    sample.ms.append(1000 * (time.perf_counter() - start))
    sample.rows.append(len(rows))
    return list(rows)


def typed_searches(names: frozenset[str]) -> list[str]:
    """What the person types in the search box, step by step: the most common first name,
    a last name, a company's word, a sector in headlines, and a name nobody has."""
    firsts: dict[str, int] = {}
    for name in names:
        first = name.split()[0]
        firsts[first] = firsts.get(first, 0) + 1
    first = max(sorted(firsts), key=lambda f: firsts[f]).lower()
    steps = [first[:k] for k in range(1, len(first) + 1)]
    return [*steps, "sing", "singh", "thread", "fintech", "recruit", "zqx"]


async def time_contacts(conn: Any, sql: Queries, person: Person, *, runs: int) -> dict[str, Sample]:
    """Each query of the contacts page, ``runs`` times or more; keyed by what it is."""
    first_page: dict[str, Any] = {
        "owner_id": person.account_id,
        "pattern": None,
        "event_id": None,
        "after_tier": None,
        "after_at": None,
        "after_id": None,
        "limit": pages.PAGE_SIZE + 1,
    }
    found: dict[str, Sample] = {}
    warm = Sample()
    for _ in range(5):
        await _timed(conn, sql, "contacts.search", warm, **first_page)
        await _timed(conn, sql, "contacts.search", warm, **{**first_page, "pattern": "%ma%"})
    sample = found.setdefault("contacts page, first 50", Sample())
    for _ in range(runs):
        await _timed(conn, sql, "contacts.search", sample, **first_page)
    # "Show more" to the end, again and again, until there are ``runs`` pages timed.
    more = found.setdefault("contacts, each Show more page", Sample())
    while len(more.ms) < runs:
        rows = await _timed(conn, sql, "contacts.search", warm, **first_page)
        while len(rows) > pages.PAGE_SIZE:
            last = rows[pages.PAGE_SIZE - 1]
            rows = await _timed(
                conn,
                sql,
                "contacts.search",
                more,
                **{
                    **first_page,
                    "after_tier": last["tier"],
                    "after_at": last["met_at"],
                    "after_id": last["id"],
                },
            )
        if not more.ms:
            break  # one page holds them all
    typing = found.setdefault("contacts search as you type", Sample())
    steps = typed_searches(person.names)
    while len(typing.ms) < runs:
        for typed in steps:
            await _timed(
                conn,
                sql,
                "contacts.search",
                typing,
                **{**first_page, "pattern": like_pattern(typed)},
            )
    sample = found.setdefault("contacts filtered by an event", Sample())
    for k in range(runs):
        event_id = person.event_ids[k % len(person.event_ids)]
        await _timed(conn, sql, "contacts.search", sample, **{**first_page, "event_id": event_id})
    sample = found.setdefault("the page's event menu (events.mine)", Sample())
    for _ in range(runs):
        await _timed(
            conn,
            sql,
            "events.mine",
            sample,
            account_id=person.account_id,
            after_at=None,
            after_id=None,
            limit=100,
        )
    return found
