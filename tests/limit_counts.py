"""What the rate limits have counted, as the tests read it (``limit_slots``)."""

from __future__ import annotations

import asyncpg
import httpx

from tests.phone import text_of


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


def says_wait(response: httpx.Response, words: str, *, within: int = 3600) -> None:
    """A 429 whose page says ``words`` (a rule's, its ``{wait}`` the real one, not a fixed
    "an hour"), and whose ``Retry-After`` is that wait, in seconds up to ``within``."""
    assert response.status_code == 429, response.status_code
    seconds = int(response.headers["retry-after"])
    assert 0 < seconds <= within, seconds
    minutes = -(-seconds // 60)
    wait = "in an hour" if minutes == 60 else f"in {minutes} minutes"
    assert words.format(wait=wait) in text_of(response)
