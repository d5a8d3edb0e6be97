"""A lean HTTP/1.1 client on asyncio streams, for load generators that share the cores.

Much leaner than httpx: the benchmark's own process shares the machine with the server
and the database. ``Connection.request`` sends raw bytes the caller built and reads one
answer: its status, the cookies it set, its ``Location``, its body, and whether the
connection may be kept.

A POST from a browser carries ``Sec-Fetch-Site: same-origin`` (what the server's CSRF
check reads): ``SAME_ORIGIN`` is that header line, for the callers' raw requests.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

SAME_ORIGIN = "Sec-Fetch-Site: same-origin\r\n"


@dataclass
class Reply:
    status: int
    cookies: dict[str, str]
    location: str
    body: bytes
    keep_alive: bool


class Connection:
    """One keep-alive HTTP/1.1 connection; just enough protocol for these requests."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.usable = True

    @classmethod
    async def open(cls, host: str, port: int) -> Connection:
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer)

    async def request(self, raw: bytes) -> Reply:
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head[:-4].split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length: int | None = None
        chunked = False
        keep_alive = True
        cookies: dict[str, str] = {}
        location = ""
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            value = value.strip()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
            elif name == b"connection":
                keep_alive = value.lower() != b"close"
            elif name == b"set-cookie":
                pair = value.split(b";", 1)[0].decode("latin-1")
                key, _, cookie = pair.partition("=")
                cookies[key.strip()] = cookie.strip()
            elif name == b"location":
                location = value.decode("latin-1")
        if chunked:
            body = await self._read_chunked()
        elif length is not None:
            body = await self.reader.readexactly(length)
        elif status in (204, 304) or status < 200:
            body = b""
        else:
            body = await self.reader.read()
            keep_alive = False
        self.usable = keep_alive
        return Reply(status, cookies, location, body, keep_alive)

    async def _read_chunked(self) -> bytes:
        parts: list[bytes] = []
        while True:
            size_line = await self.reader.readuntil(b"\r\n")
            size = int(size_line.split(b";", 1)[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")  # no trailers from uvicorn
                return b"".join(parts)
            parts.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)

    def close(self) -> None:
        self.usable = False
        with contextlib.suppress(Exception):
            self.writer.close()
