"""Time zones by IANA name, as PostgreSQL knows them (it does the date arithmetic)."""

from __future__ import annotations

from typing import Any

FALLBACK = "UTC"


async def load_names(pool: Any) -> frozenset[str]:
    rows = await pool.fetch("SELECT name FROM pg_timezone_names")
    return frozenset(row["name"] for row in rows)


def choose(value: str, known: frozenset[str]) -> str:
    """The browser's zone when PostgreSQL knows it; UTC otherwise (changeable in settings)."""
    value = value.strip()
    return value if value in known else FALLBACK
