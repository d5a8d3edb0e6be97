"""An export as a download: made whole first (``making``), its database connection given
back, then sent in chunks with its length, however slowly the phone takes it; a few of an
account's at once at most, since each waits in a file until its phone has the last byte."""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from server.export import making
from server.export.making import Made, Pieces
from server.web import limits

log = logging.getLogger(__name__)

# What one chunk sent to the browser holds: as many bytes as a write to the file, about.
CHUNK_BYTES = 64 * 1024

# An account's exports on their way at once: each is a file (in TMPDIR past a megabyte) until
# its phone has the last byte, so starting file after file and reading each slowly would fill
# the disk. Counted until the download ends, however it ends; a process that dies mid-download
# leaves its count for the span (longer than a vCard file with photos takes on a slow phone).
SENDING_AT_ONCE = limits.Rule(
    "account-exports-sending",
    3,
    timedelta(hours=1),
    "Three of your exports are still on their way to this or another of your browsers."
    " Once one of them has finished, try again.",
)


@dataclass(frozen=True)
class Refusals:
    """What a person is told when a download of theirs is refused: while another of their
    downloads is being made (``making``), and while ``SENDING_AT_ONCE`` are on their way
    (``sending``). The same limits whatever the file; the words name what was tapped."""

    making: str
    sending: str


EXPORT_REFUSALS = Refusals(making.MAKING_ONE_ALREADY.says, SENDING_AT_ONCE.says)


def filename(what: str, extension: str, zone: ZoneInfo) -> str:
    """``reachout-contacts-2026-12-04.vcf``: dated by my calendar, so two exports differ."""
    return f"reachout-{what}-{datetime.now(zone).date().isoformat()}.{extension}"


async def _chunks(made: Made) -> AsyncGenerator[bytes, None]:
    # Read in the event loop, as it was written: the file was written moments ago and is in
    # memory or in the kernel's page cache, so a read costs microseconds, less than a hop to
    # a thread; and each chunk waits on the phone (send) far longer than on the disk.
    while chunk := made.read(CHUNK_BYTES):
        yield chunk


class Download(StreamingResponse):
    """A made export as an attachment, with its Content-Length, whose file is closed (and so
    deleted) however the sending ends: finished, cut short, or failed. Starlette drops the
    iterator of a download cut short without closing it, so the closing is here."""

    def __init__(
        self,
        made: Made,
        *,
        filename: str,
        media_type: str,
        gzip: bool,
        finished: Callable[[], Awaitable[None]],
    ) -> None:
        self._made = made
        self._finished = finished
        size = made.seek(0, os.SEEK_END)
        made.seek(0)
        headers = {
            "content-disposition": f'attachment; filename="{filename}"',
            # Another person's details: kept by no cache between here and the phone.
            "cache-control": "private, no-store",
            # Of the bytes sent (gzipped, when they are): the phone shows how far it has got.
            "content-length": str(size),
        }
        if gzip:
            # Otherwise GZipMiddleware says Vary (and compresses nothing: no gzip asked for).
            headers |= {"content-encoding": "gzip", "vary": "Accept-Encoding"}
        super().__init__(_chunks(made), media_type=media_type, headers=headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._made.close()
            await self._finished()


async def download(
    request: Request,
    pieces: Pieces,
    *,
    account_id: int,
    filename: str,
    media_type: str,
    compress: bool = True,
    refusals: Refusals = EXPORT_REFUSALS,
) -> Download:
    """``pieces`` as a download, gzipped when ``compress`` and the browser takes gzip. The
    whole file is made before answering: when the database goes away meanwhile, the person
    gets the "Back in a moment" page, never a broken file; while another of ``account_id``'s
    exports is being made, or while ``SENDING_AT_ONCE`` of them are on their way, a 429 page
    with ``refusals``' words."""
    pool, sql = request.app.state.pool, request.app.state.sql
    # The same bucket, only other words: a calendar file counts with the exports.
    sending = (dataclasses.replace(SENDING_AT_ONCE, says=refusals.sending), account_id)
    await limits.take(pool, sql, sending)

    async def finished() -> None:
        try:
            await limits.release(pool, sql, sending)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            # The database away as the download ends: the count goes with its span.
            log.warning("an export's count of downloads on their way was not given back")

    try:
        # Why the vCard file is not compressed (compress=False): making.GZIP_LEVEL.
        gzip = compress and "gzip" in request.headers.get("accept-encoding", "")
        made = await making.make(pool, sql, account_id, pieces, gzip=gzip)
    except limits.TooMany as refused:
        await finished()
        if refused.rule is not making.MAKING_ONE_ALREADY:
            raise
        rule = dataclasses.replace(refused.rule, says=refusals.making)
        raise limits.TooMany(rule, timedelta(seconds=refused.retry_after)) from None
    except BaseException:
        await finished()
        raise
    try:
        return Download(
            made, filename=filename, media_type=media_type, gzip=gzip, finished=finished
        )
    except BaseException:
        made.close()
        await finished()
        raise
