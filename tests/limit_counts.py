"""What the rate limits have counted, as the tests read it (``limit_slots``)."""

from __future__ import annotations

import asyncpg


async def hits(pool: asyncpg.Pool, *, bucket: str = "%", key: str = "%") -> int:
    """Hits counted (and not given back) in the buckets and keys matching these LIKE
    patterns, over every slot kept."""
    return int(
        await pool.fetchval(
            "SELECT coalesce(sum(hits), 0) FROM limit_slots WHERE bucket LIKE $1 AND key LIKE $2",
            bucket,
            key,
        )
    )
