"""The HTTP/1.1 client the push worker POSTs encrypted messages with.

A push send needs little of HTTP: one POST of a small body to an endpoint checked when it
was stored (https, ASCII, no userinfo, an allow-listed host), never a redirect followed,
and back only the status, ``Retry-After`` and the start of an error's text. aiohttp did
that at 260-340 µs of CPU per request (`bench/push_clients.py`), half of what a push cost
the worker; this keeps connections open per push service (as aiohttp's pool did), writes
each request in one go and parses the answer with httptools (llhttp, which uvicorn parses
requests with), at about 105 µs.

Failures are the caller's to retry: a connection refused, reset or closed before the
answer, a TLS or parse error, an endpoint it cannot send to, or the time limit, raise
``OSError``, ``TimeoutError`` or ``PushHttpError``; the connection is then dropped, never
reused.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import httptools

# Idle connections are closed after this, as aiohttp's did: a push service closing an idle
# one itself while we write to it would lose that send (retried later, but late).
KEEP_IDLE_SECONDS = 15.0
# The start of an error answer's text is kept for the log; the rest is read and dropped.
KEPT_BODY = 4096


class PushHttpError(Exception):
    """The push service's answer could not be read as HTTP, or its endpoint was no URL we
    send to."""


@dataclass(frozen=True)
class Answer:
    status: int
    retry_after: str | None
    text: str


@dataclass(frozen=True)
class Origin:
    """Where an endpoint's requests go, parsed once per scheme and authority."""

    scheme: str
    host: str  # without IPv6 brackets: what we connect to and check the certificate for
    port: int
    authority: str  # as the endpoint writes it: the Host header

    @classmethod
    def parse(cls, scheme: str, authority: str) -> Origin:
        """ValueError for anything but http(s) with a host and a port that is a number."""
        parts = urlsplit(f"{scheme}://{authority}")
        if scheme not in ("https", "http") or not parts.hostname:
            raise ValueError(f"not an http(s) endpoint: {scheme}://{authority}")
        port = parts.port or (443 if scheme == "https" else 80)
        return cls(scheme, parts.hostname, port, authority)


class _Connection(asyncio.Protocol):
    """One keep-alive connection: one request at a time, its answer parsed as it arrives."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.closed = False
        self.reusable = False
        self.idle_since = 0.0
        self._answer: asyncio.Future[Answer] | None = None
        self._retry_after: str | None = None
        self._body = bytearray()

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's TLS transport is not an asyncio.Transport subclass, but is one in all but name.
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as error:
            self._fail(PushHttpError(f"unreadable answer: {error}"))
            self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._fail(exc or ConnectionResetError("the push service closed the connection"))

    # httptools callbacks

    def on_header(self, name: bytes, value: bytes) -> None:
        if name.lower() == b"retry-after":
            self._retry_after = value.decode("latin-1")

    def on_body(self, body: bytes) -> None:
        room = KEPT_BODY - len(self._body)
        if room > 0:
            self._body += body[:room]

    def on_message_complete(self) -> None:
        self.reusable = self.parser.should_keep_alive()
        if self._answer is not None and not self._answer.done():
            text = self._body.decode("utf-8", "replace")
            self._answer.set_result(Answer(self.parser.get_status_code(), self._retry_after, text))

    # ours

    def request(self, data: bytes) -> asyncio.Future[Answer]:
        assert self.transport is not None
        self._answer = asyncio.get_running_loop().create_future()
        self._retry_after = None
        self._body.clear()
        self.reusable = False
        self.transport.write(data)
        return self._answer

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    def _fail(self, error: BaseException) -> None:
        if self._answer is not None and not self._answer.done():
            self._answer.set_exception(error)


class PushHttp:
    """Connections to push services, at most ``limit`` requests in flight in all."""

    def __init__(self, ssl_context: ssl.SSLContext, limit: int) -> None:
        self._ssl = ssl_context
        self._slots = asyncio.Semaphore(limit)
        self._limit = limit
        self._origins: dict[str, Origin] = {}
        self._idle: dict[Origin, list[_Connection]] = {}
        self._open: set[_Connection] = set()

    async def __aenter__(self) -> PushHttp:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def origin(self, endpoint: str) -> tuple[Origin, str]:
        """The origin and path of a stored endpoint (``scheme://authority/path``)."""
        scheme, _, authority, path = [*endpoint.split("/", 3), "", ""][:4]
        key = f"{scheme}//{authority}"
        origin = self._origins.get(key)
        if origin is None:
            try:
                origin = Origin.parse(scheme.removesuffix(":"), authority)
            except ValueError as error:
                raise PushHttpError(f"not an endpoint we send to: {error}") from None
            self._origins[key] = origin
        return origin, "/" + path

    async def post(
        self, endpoint: str, headers: Mapping[str, str], body: bytes, *, seconds: float
    ) -> Answer:
        """POST ``body`` with ``headers`` (names lower-case, values ours: no CR or LF), the
        answer within ``seconds`` (connecting included)."""
        origin, path = self.origin(endpoint)
        head = [f"POST {path} HTTP/1.1\r\nhost: {origin.authority}\r\n"]
        head += [f"{name}: {value}\r\n" for name, value in headers.items()]
        head.append(f"content-length: {len(body)}\r\n\r\n")
        data = "".join(head).encode("latin-1") + body
        async with self._slots, asyncio.timeout(seconds):
            connection = self._idle_connection(origin) or await self._connect(origin)
            try:
                answer = await connection.request(data)
            except BaseException:
                connection.close()
                self._open.discard(connection)
                raise
            if connection.reusable and not connection.closed:
                connection.idle_since = time.monotonic()
                self._idle.setdefault(origin, []).append(connection)
            else:
                connection.close()
                self._open.discard(connection)
            return answer

    async def close(self) -> None:
        for connection in self._open:
            connection.close()
        self._open.clear()
        self._idle.clear()
        await asyncio.sleep(0)  # let the transports finish closing

    def _idle_connection(self, origin: Origin) -> _Connection | None:
        idle = self._idle.get(origin)
        if not idle:
            return None
        # Oldest first in the list: drop the stale ones there, take the newest.
        now = time.monotonic()
        while idle and (idle[0].closed or now - idle[0].idle_since >= KEEP_IDLE_SECONDS):
            stale = idle.pop(0)
            stale.close()
            self._open.discard(stale)
        while idle:
            connection = idle.pop()
            if not connection.closed:
                return connection
            self._open.discard(connection)
        return None

    async def _connect(self, origin: Origin) -> _Connection:
        loop = asyncio.get_running_loop()
        secure = origin.scheme == "https"
        _, connection = await loop.create_connection(
            _Connection,
            origin.host,
            origin.port,
            ssl=self._ssl if secure else None,
            server_hostname=origin.host if secure else None,
        )
        self._open.add(connection)
        return connection
