"""An export as a download: read in one snapshot of the database and sent in chunks as it
is made, so a large one never sits in memory whole."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from datetime import datetime
from zlib import DEFLATED, MAX_WBITS, Z_SYNC_FLUSH, compressobj
from zoneinfo import ZoneInfo

import asyncpg
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.types import Send

from server.db.pool import Connection

# What one chunk sent to the browser holds, about: big enough that the per-chunk costs
# (a write, a gzip flush) are noise, small enough to be nothing in the web process's memory.
CHUNK_CHARACTERS = 64 * 1024

# Exports compress themselves, at zlib's fastest level, and the app's GZipMiddleware (level
# 9) leaves them be, as it does what has a Content-Encoding: text shrinks about as much
# either way (10,000 contacts as CSV: 4.7 MB, 0.3 MB at 1, 0.2 MB at 9). Except the vCard
# file: with photos it is mostly base64 of JPEG, of which any level wins back only a quarter,
# for several times the CPU of making the file (10,000 contacts with photos, 260 MB: 2.6 s
# of the web process's CPU as it is, 12 s gzipped at 1, 22 s at 9); it goes as it is.
GZIP_LEVEL = 1

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


async def _gzipped(chunks: AsyncGenerator[bytes, None]) -> AsyncGenerator[bytes, None]:
    gzip = compressobj(GZIP_LEVEL, DEFLATED, 16 + MAX_WBITS)
    try:
        async for chunk in chunks:
            # Flushed each time: what is made is on its way, not waiting in the compressor.
            yield gzip.compress(chunk) + gzip.flush(Z_SYNC_FLUSH)
        yield gzip.flush()
    finally:
        await chunks.aclose()


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
        self, body: AsyncGenerator[bytes, None], *, filename: str, media_type: str, gzip: bool
    ) -> None:
        self._body = body
        headers = {
            "content-disposition": f'attachment; filename="{filename}"',
            # Another person's details: kept by no cache between here and the phone.
            "cache-control": "private, no-store",
        }
        if gzip:
            # Otherwise GZipMiddleware says Vary (and compresses nothing: no gzip asked for).
            headers |= {"content-encoding": "gzip", "vary": "Accept-Encoding"}
        super().__init__(body, media_type=media_type, headers=headers)

    async def stream_response(self, send: Send) -> None:
        try:
            await super().stream_response(send)
        finally:
            await self._body.aclose()


async def download(
    request: Request, pieces: Pieces, *, filename: str, media_type: str, compress: bool = True
) -> Download:
    """``pieces`` as a download, gzipped when ``compress`` and the browser takes gzip. The
    first chunk is made before answering: when the database is away, the person gets the
    "Back in a moment" page, not a broken file."""
    gzip = compress and "gzip" in request.headers.get("accept-encoding", "")
    rest = _chunks(request.app.state.pool, pieces)
    if gzip:
        rest = _gzipped(rest)
    try:
        first = await anext(rest)
    except BaseException:
        await rest.aclose()
        raise
    return Download(_body(first, rest), filename=filename, media_type=media_type, gzip=gzip)
