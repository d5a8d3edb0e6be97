"""An export made whole before a byte of it is sent: read in one snapshot of the database,
one at a time per account, into a temporary file (in memory while small, then on disk), so
the database connection is back in the pool before the phone starts receiving."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from datetime import timedelta
from tempfile import SpooledTemporaryFile
from zlib import DEFLATED, MAX_WBITS, compressobj

import asyncpg

from server.db.pool import Connection
from server.db.queries import Queries
from server.web import limits

# What one write to the file holds, about: big enough that the per-write costs (an encode,
# a call into zlib) are noise, small enough to be nothing in the web process's memory.
CHUNK_CHARACTERS = 64 * 1024

# Exports compress themselves, at zlib's fastest level, and the app's GZipMiddleware (level
# 9) leaves them be, as it does what has a Content-Encoding: text shrinks about as much
# either way (10,000 contacts as CSV: 4.7 MB, 0.3 MB at 1, 0.2 MB at 9). Except the vCard
# file: with photos it is mostly base64 of JPEG, of which any level wins back only a quarter,
# for several times the CPU of making the file (10,000 contacts with photos, 260 MB: 2.6 s
# of the web process's CPU as it is, 12 s gzipped at 1, 22 s at 9); it goes as it is.
GZIP_LEVEL = 1

# A file kept in memory up to this size, then moved to disk (TMPDIR): a gzipped CSV or JSON
# of 10,000 contacts (0.3-0.5 MB) never touches the disk, while ten vCard files with photos
# (252 MB each) being sent at once take 10 MB of the process's memory (their 2.5 GB is on
# disk, in the kernel's page cache as far as it goes).
IN_MEMORY_BYTES = 1024 * 1024

# How long a refused export is told to wait: about what the largest takes to make (10,000
# contacts with photos: 1.6 s on a quiet machine, bench/export.py; more on a busy one).
MAKING_SECONDS = timedelta(seconds=5)
# Refused while another of the account's exports is being made. The lock in
# sql/queries/export.sql holds it, not a count (nothing goes into limit_slots): a rule so that
# the refusal reads and answers as every other 429 does (TooMany: the page, Retry-After).
MAKING_ONE_ALREADY = limits.Rule(
    "export-making",
    1,
    MAKING_SECONDS,
    "Your other export is still being made. Try again in a moment.",
)

# An export's pieces (a card, a row, a record) in order, read on the connection it is given.
Pieces = Callable[[Connection], AsyncGenerator[str, None]]

Made = SpooledTemporaryFile[bytes]


async def make(
    pool: asyncpg.Pool, sql: Queries, account_id: int, pieces: Pieces, *, gzip: bool
) -> Made:
    """``pieces`` as a file, gzipped when ``gzip``, positioned at its start: the caller
    closes it (which deletes it). Raises ``limits.TooMany`` while another of the account's
    exports is being made, and what the database raises, having closed the file."""
    # Handed to the caller open, or closed here on the way out.
    made: Made = SpooledTemporaryFile(max_size=IN_MEMORY_BYTES)  # noqa: SIM115
    try:
        await _fill(made, pool, sql, account_id, pieces, gzip=gzip)
        made.seek(0)
    except BaseException:
        made.close()
        raise
    return made


async def _fill(
    made: Made, pool: asyncpg.Pool, sql: Queries, account_id: int, pieces: Pieces, *, gzip: bool
) -> None:
    # Written in the event loop: in memory, or a local file the kernel takes into its page
    # cache, a 64 KB write costs microseconds; a hop to a thread for each would cost more.
    gzipper = compressobj(GZIP_LEVEL, DEFLATED, 16 + MAX_WBITS) if gzip else None

    def write(text: str) -> None:
        data = text.encode()
        made.write(gzipper.compress(data) if gzipper else data)

    # One read-only REPEATABLE READ transaction: every query sees the same moment (a note
    # saved mid-export is in all of it or none), and the cursors live as long as it does. It
    # ends, and the connection goes back, when the file is made, however slow the phone.
    # (The connection cut mid-way: errors.connection_closed answers "Back in a moment".)
    async with (
        pool.acquire() as conn,
        conn.transaction(isolation="repeatable_read", readonly=True),
    ):
        if not await sql.run(conn, "export.lock_making", account_id=account_id):
            raise limits.TooMany(MAKING_ONE_ALREADY, MAKING_ONE_ALREADY.span)
        await _write_pieces(pieces(conn), write)
    if gzipper:
        made.write(gzipper.flush())


async def _write_pieces(pieces: AsyncGenerator[str, None], write: Callable[[str], None]) -> None:
    """The pieces written a chunk at a time: never the whole export as one string."""
    async with aclosing(pieces) as made_pieces:
        buffer: list[str] = []
        size = 0
        async for piece in made_pieces:
            buffer.append(piece)
            size += len(piece)
            if size >= CHUNK_CHARACTERS:
                write("".join(buffer))
                buffer.clear()
                size = 0
        write("".join(buffer))
