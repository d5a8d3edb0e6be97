"""An export as a download: read in one snapshot of the database and sent in chunks as it
is made, so a large one never sits in memory whole."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from datetime import datetime
from zoneinfo import ZoneInfo

import asyncpg
from starlette.responses import StreamingResponse
from starlette.types import Send

from server.db.pool import Connection

# What one chunk sent to the browser holds, about: big enough that the per-chunk costs
# (a write, a gzip flush) are noise, small enough to be nothing in the web process's memory.
CHUNK_CHARACTERS = 64 * 1024

# An export's pieces (a card, a row, a record) in order, read on the connection it is given.
Pieces = Callable[[Connection], AsyncGenerator[str, None]]


def filename(what: str, extension: str, zone: ZoneInfo) -> str:
    """``reachout-contacts-2026-12-04.vcf``: dated by my calendar, so two exports differ."""
    return f"reachout-{what}-{datetime.now(zone).date().isoformat()}.{extension}"


async def _chunks(pool: asyncpg.Pool, pieces: Pieces) -> AsyncGenerator[bytes, None]:
    # One read-only REPEATABLE READ transaction: every query sees the same moment (a note
    # saved mid-export is in all of it or none), and the cursors live as long as it does.
    async with (
        pool.acquire() as conn,
        conn.transaction(isolation="repeatable_read", readonly=True),
        aclosing(pieces(conn)) as made,
    ):
        buffer: list[str] = []
        size = 0
        async for piece in made:
            buffer.append(piece)
            size += len(piece)
            if size >= CHUNK_CHARACTERS:
                yield "".join(buffer).encode()
                buffer.clear()
                size = 0
        yield "".join(buffer).encode()


async def _body(first: bytes, rest: AsyncGenerator[bytes, None]) -> AsyncGenerator[bytes, None]:
    try:
        yield first
        async for chunk in rest:
            yield chunk
    finally:
        await rest.aclose()


class Download(StreamingResponse):
    """A streamed attachment that lets go of its database connection however it ends:
    Starlette drops the iterator of a download cut short without closing it."""

    def __init__(
        self, body: AsyncGenerator[bytes, None], *, filename: str, media_type: str
    ) -> None:
        self._body = body
        super().__init__(
            body,
            media_type=media_type,
            headers={
                "content-disposition": f'attachment; filename="{filename}"',
                # Another person's details: kept by no cache between here and the phone.
                "cache-control": "private, no-store",
            },
        )

    async def stream_response(self, send: Send) -> None:
        try:
            await super().stream_response(send)
        finally:
            await self._body.aclose()


async def download(
    pool: asyncpg.Pool, pieces: Pieces, *, filename: str, media_type: str
) -> Download:
    """``pieces`` as a download. The first chunk is made before answering: when the
    database is away, the person gets the "Back in a moment" page, not a broken file."""
    rest = _chunks(pool, pieces)
    try:
        first = await anext(rest)
    except BaseException:
        await rest.aclose()
        raise
    return Download(_body(first, rest), filename=filename, media_type=media_type)
