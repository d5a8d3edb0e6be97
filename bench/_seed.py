"""Seeding shared by the benchmarks: people with cards, through HTTP or straight in SQL.

Through HTTP, as a new phone does it: ``make_sharer`` saves a card with ``POST /card``
and reads its share link; ``make_sharers`` makes several. In SQL, for the sizes where
HTTP would take longer than the benchmark (a fresh, migrated database):
``insert_accounts`` (in zones chosen by ``awake`` where the hour matters),
``insert_sessions`` (a signed-in browser's cookie for each) and ``insert_event`` (an event
with attendees).
"""

from __future__ import annotations

import asyncio
import re
import secrets
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import asyncpg
import httpx
from _server import PROJECT_ROOT

if str(PROJECT_ROOT) not in sys.path:  # as in _server: this checkout's server package
    sys.path.insert(0, str(PROJECT_ROOT))

from server.web import sessions

SHARE_LINK = re.compile(r'<input id="share-link"[^>]*\bvalue="([^"]+)"')
# What a browser sends with a form it posts to its own site (the server's CSRF check).
BROWSER_POST = {"Sec-Fetch-Site": "same-origin"}

SHARER_CARD = {
    "name": "Dana Lee",
    "headline": "Recruiter, fashion and apparel",
    "company": "Threadline",
    "email": "dana@example.com",
    "phone": "+1 415 555 0134",
    "linkedin": "https://www.linkedin.com/in/danalee",
    "website": "https://danalee.example.com",
    "other_link": "",
    "looking_for": "Online marketers who know fashion",
    "can_help_with": "Intros to recruiters in fashion and apparel",
}


@dataclass(frozen=True)
class Sharer:
    """Someone with a card: their share token and their browser's cookies."""

    token: str
    link: str
    cookies: dict[str, str]


def sharer_address(n: int) -> str:
    """A distinct IPv4 address for the ``n``th sharer (172.16.0.0/12, apart from the visitors'
    10.0.0.0/8): a crowd's cards are made from many phones, not from one address, whose
    backstop on new accounts (``NEW_ACCOUNTS_PER_ADDRESS``) a big run's sharers would use up."""
    return f"172.{16 + (n >> 16 & 15)}.{n >> 8 & 255}.{n & 255}"


async def make_sharer(base_url: str, *, address: str | None = None, **fields: str) -> Sharer:
    """Create a card through HTTP as a new phone would, and read its share link; ``address``:
    the phone's, as the server believes loopback's ``X-Forwarded-For``."""
    headers = {**BROWSER_POST, **({"X-Forwarded-For": address} if address else {})}
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        saved = await client.post("/card", data={**SHARER_CARD, **fields}, headers=headers)
        if saved.status_code != 303:
            raise RuntimeError(f"POST /card answered {saved.status_code}: {saved.text[:500]}")
        page = await client.get("/share")
        match = SHARE_LINK.search(page.text)
        if page.status_code != 200 or match is None:
            raise RuntimeError(f"GET /share answered {page.status_code} without a share link")
        link = match.group(1).replace("&amp;", "&")
        token = urlsplit(link).path.rsplit("/", 1)[-1]
        return Sharer(token, link, dict(client.cookies.items()))


async def make_sharers(base_url: str, count: int, *, at_once: int = 8) -> list[Sharer]:
    """``count`` sharers ("Dana Lee 0", ...), ``at_once`` at a time."""
    limit = asyncio.Semaphore(at_once)

    async def one(n: int) -> Sharer:
        async with limit:
            return await make_sharer(
                base_url,
                address=sharer_address(n),
                name=f"Dana Lee {n}",
                email=f"dana{n}@example.com",
            )

    return list(await asyncio.gather(*(one(n) for n in range(count))))


def awake(time_zones: Sequence[str]) -> list[str]:
    """Those of ``time_zones`` where it is now 10:00 to 20:00: what the worker sends at once,
    not at the next 09:00 (an event's digest), whenever the benchmark runs. The zones given
    must cover the day between them."""
    zones = [tz for tz in time_zones if 10 <= datetime.now(ZoneInfo(tz)).hour < 20]
    if not zones:
        raise ValueError(f"none of {time_zones} is awake now: give zones round the clock")
    return zones


async def insert_accounts(
    conn: asyncpg.Connection, n: int, time_zones: Sequence[str] = ("UTC",)
) -> list[int]:
    """``n`` accounts, the i-th (from 1) in ``time_zones[i % len(time_zones)]``; their ids."""
    rows = await conn.fetch(
        "INSERT INTO accounts (time_zone)"
        " SELECT ($2::text[])[1 + i % cardinality($2::text[])]"
        " FROM generate_series(1, $1) i RETURNING id",
        n,
        list(time_zones),
    )
    return sorted(int(r["id"]) for r in rows)


async def insert_sessions(conn: asyncpg.Connection, account_ids: Sequence[int]) -> list[str]:
    """A session for each account; the ``ro_session`` cookie values, in the same order."""
    tokens = [secrets.token_urlsafe(32) for _ in account_ids]
    await conn.copy_records_to_table(
        "sessions",
        columns=["token_hash", "account_id"],
        records=[(sessions.hash_token(t), i) for t, i in zip(tokens, account_ids, strict=True)],
    )
    return tokens


async def insert_event(
    conn: asyncpg.Connection,
    *,
    organizer_id: int,
    name: str,
    venue: str,
    starts_at: datetime,
    ends_at: datetime,
    join_code: str,
    time_zone: str = "Europe/Berlin",
) -> int:
    """An event; its id."""
    event_id = await conn.fetchval(
        "INSERT INTO events (organizer_id, name, venue, starts_at, ends_at, time_zone,"
        " join_code) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        organizer_id,
        name,
        venue,
        starts_at,
        ends_at,
        time_zone,
        join_code,
    )
    return int(event_id)
