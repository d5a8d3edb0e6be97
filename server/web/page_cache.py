"""Rendered pages kept by what they show: a page that is the same for everyone who asks with
the same data is rendered and gzip-compressed once per web process, not per request.

The key names everything the page shows (the card page: its token and which version of the
card row, read by the request just before), so a change anywhere is a new key in every process
at once: nothing to invalidate, and safe with any number of processes. Bounded: the least
recently used pages go first.
"""

from __future__ import annotations

import zlib
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

# What GZipMiddleware (server/app.py) compresses at, and the bytes a page must reach for it to.
COMPRESS_LEVEL = 9
GZIP_MINIMUM = 512


@dataclass(frozen=True)
class Page:
    """A response's status, headers and body, and the body gzip-compressed."""

    status_code: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    gzipped: bytes

    @classmethod
    def of(cls, response: Response) -> Page:
        body = bytes(response.body)
        compressor = zlib.compressobj(COMPRESS_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        headers = tuple(
            (name, value)
            for name, value in response.headers.items()
            if name not in ("content-length", "vary")
        )
        return cls(
            response.status_code, headers, body, compressor.compress(body) + compressor.flush()
        )

    def response(self, request: Request) -> Response:
        """As GZipMiddleware would have sent it: compressed here when the browser takes gzip
        (the middleware leaves an encoded body as it is), otherwise left to the middleware."""
        headers = dict(self.headers)
        if len(self.body) < GZIP_MINIMUM or "gzip" not in request.headers.get(
            "accept-encoding", ""
        ):
            return Response(self.body, status_code=self.status_code, headers=headers)
        headers["vary"] = "Accept-Encoding"
        headers["content-encoding"] = "gzip"
        return Response(self.gzipped, status_code=self.status_code, headers=headers)


class PageCache:
    """At most ``size`` pages, by key; the least recently used leave first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._pages: OrderedDict[Hashable, Page] = OrderedDict()

    def get(self, key: Hashable) -> Page | None:
        page = self._pages.get(key)
        if page is not None:
            self._pages.move_to_end(key)
        return page

    def put(self, key: Hashable, response: Response) -> Page:
        page = Page.of(response)
        self._pages[key] = page
        self._pages.move_to_end(key)
        while len(self._pages) > self.size:
            self._pages.popitem(last=False)
        return page
