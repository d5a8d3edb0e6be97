"""Time zones by IANA name, as PostgreSQL knows them (it does the date arithmetic)."""

from __future__ import annotations

import functools
from typing import Any

FALLBACK = "UTC"


async def load_names(pool: Any) -> frozenset[str]:
    rows = await pool.fetch("SELECT name FROM pg_timezone_names")
    return frozenset(row["name"] for row in rows)


# PostgreSQL's copies of the zones (posix/, right/) and names nobody picks from a list.
NOT_OFFERED = ("posix/", "right/", "Etc/", "SystemV/")
TYPE_ONE = (
    "We don't know that time zone. Type a city, like London, or a zone like America/New_York."
)


def find(value: str, known: frozenset[str]) -> str | None:
    """The zone ``value`` names as typed on a phone (any case, a space for an underscore:
    "america/new york"), or its city alone ("London", "new york"), or None."""
    value = value.strip()
    if value in known:
        return value
    folded = value.replace(" ", "_").casefold()
    by_name, by_city = _folded_indexes(known)
    return by_name.get(folded) or by_city.get(folded)


@functools.lru_cache(maxsize=4)
def _folded_indexes(known: frozenset[str]) -> tuple[dict[str, str], dict[str, str]]:
    # Once per set of names (a frozenset keeps its hash): a swap from a browser that sends
    # no zone looks here, and a scan of PostgreSQL's 1,200 names cost it some 50 µs.
    by_name = {name.casefold(): name for name in known}
    # A city in two names (America/Buenos_Aires, America/Argentina/Buenos_Aires: the same
    # zone) is the shorter's.
    by_city: dict[str, str] = {}
    for name in sorted(choices(known), key=lambda name: (len(name), name), reverse=True):
        by_city[name.rsplit("/", 1)[-1].casefold()] = name
    return by_name, by_city


def choose(value: str, known: frozenset[str]) -> str:
    """The browser's zone when PostgreSQL knows it; UTC otherwise (changeable in settings)."""
    return find(value, known) or FALLBACK


def choices(known: frozenset[str]) -> tuple[str, ...]:
    """The zones a time zone field suggests as it is typed in (its datalist): Area/City
    names and UTC."""
    return tuple(
        sorted(
            name
            for name in known
            if name == FALLBACK or ("/" in name and not name.startswith(NOT_OFFERED))
        )
    )
