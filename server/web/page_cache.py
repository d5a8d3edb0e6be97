"""Rendered pages kept by what they show: a page that is the same for everyone who asks with
the same data is rendered and gzip-compressed once per web process, not per request.

Each page is kept by which page it is (the card page: its token) with a stamp naming
everything it shows (which version of the card row); a request reads the stamp as it is now
and uses the page only if they match, so a change anywhere is seen by every process at once:
nothing to invalidate, and safe with any number of processes. Bounded: the least recently used
pages go first. Kept compressed (4 of a card page's 14 KB); a browser that does not take gzip
gets it decompressed.

Pages rendered from one layout start alike, down to the end of the stylesheet the layout puts
inline (``base.html``); that start is most of a card page (10 of 14 KB). It is compressed once
per process: each page's gzip goes on from a copy of the compressor as it stood after it, so
only the rest of the page is compressed.
"""

from __future__ import annotations

import zlib
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

if TYPE_CHECKING:
    from zlib import _Compress

# What GZipMiddleware (server/app.py) compresses at, and the bytes a page must reach for it to.
COMPRESS_LEVEL = 9
GZIP_MINIMUM = 512
# Where the start pages share ends: the inline stylesheet, before anything a page varies.
SHARED_START_END = b"</style>"
# Different starts kept (one per layout and stylesheet): more means pages do not share one.
SHARED_STARTS_KEPT = 4


def _gzip_compressor() -> _Compress:
    return zlib.compressobj(COMPRESS_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)


class GzipWithSharedStart:
    """gzip for pages that share a start: the compressor's state after a start is kept, and
    a page that begins with it is compressed from a copy of that state on."""

    def __init__(self) -> None:
        # A start -> (the compressor after it, the bytes it gave out for it).
        self._starts: dict[bytes, tuple[_Compress, bytes]] = {}

    def compress(self, body: bytes) -> bytes:
        end = body.find(SHARED_START_END)
        if end < 0:
            compressor = _gzip_compressor()
            return compressor.compress(body) + compressor.flush()
        end += len(SHARED_START_END)
        start = body[:end]
        kept = self._starts.get(start)
        if kept is None:
            compressor = _gzip_compressor()
            kept = (compressor, compressor.compress(start))
            if len(self._starts) < SHARED_STARTS_KEPT:
                self._starts[start] = kept
        compressor, compressed_start = kept
        rest = compressor.copy()
        return compressed_start + rest.compress(body[end:]) + rest.flush()


@dataclass(frozen=True)
class Page:
    """A response's status and headers, and its body gzip-compressed: kept compressed only,
    since nearly every browser takes it so."""

    status_code: int
    headers: tuple[tuple[str, str], ...]
    gzipped: bytes

    @classmethod
    def of(cls, response: Response, gzip: GzipWithSharedStart) -> Page:
        body = bytes(response.body)
        headers = tuple(
            (name, value)
            for name, value in response.headers.items()
            if name not in ("content-length", "vary")
        )
        return cls(response.status_code, headers, gzip.compress(body))

    @property
    def body(self) -> bytes:
        return zlib.decompress(self.gzipped, 16 + zlib.MAX_WBITS)

    @property
    def size(self) -> int:
        """The body's length, from the end of its gzip (RFC 1952's ISIZE)."""
        return int.from_bytes(self.gzipped[-4:], "little")

    def response(self, request: Request) -> Response:
        """As GZipMiddleware would have sent it: compressed here when the browser takes gzip
        (the middleware leaves an encoded body as it is), otherwise left to the middleware."""
        headers = dict(self.headers)
        if self.size < GZIP_MINIMUM or "gzip" not in request.headers.get("accept-encoding", ""):
            return Response(self.body, status_code=self.status_code, headers=headers)
        headers["vary"] = "Accept-Encoding"
        headers["content-encoding"] = "gzip"
        return Response(self.gzipped, status_code=self.status_code, headers=headers)


@dataclass(frozen=True)
class Kept:
    """A page, with what it was rendered from (``stamp``: a version of the data it shows)."""

    stamp: Hashable
    page: Page


class PageCache:
    """At most ``size`` pages, by key, each with its stamp; the least recently used leave
    first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.gzip = GzipWithSharedStart()
        self._pages: OrderedDict[Hashable, Kept] = OrderedDict()

    def get(self, key: Hashable) -> Kept | None:
        kept = self._pages.get(key)
        if kept is not None:
            self._pages.move_to_end(key)
        return kept

    def put(self, key: Hashable, stamp: Hashable, page: Page) -> None:
        self._pages[key] = Kept(stamp, page)
        self._pages.move_to_end(key)
        while len(self._pages) > self.size:
            self._pages.popitem(last=False)
