"""The test network proxy (tests/browser/network_proxy.py) closes both sides of every
connection it carried when it stops, even one whose phone side is still closing. A side
left open is garbage-collected later, during some other test on that pytest worker, and
its ResourceWarning (an error in this suite) fails that unrelated test."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import pytest

from tests.browser.network_proxy import Sent, network_proxy

RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"


async def pass_on(sent: Sent) -> bytes | None:
    return None


@contextlib.asynccontextmanager
async def web_server() -> AsyncIterator[tuple[int, asyncio.Queue[asyncio.StreamReader]]]:
    """A server answering one request per connection and ending its side, as the live
    server does for the proxy's ``Connection: close``. Yields its port and, per connection,
    its reader: at its end once the proxy closed the connection too."""
    answered: asyncio.Queue[asyncio.StreamReader] = asyncio.Queue()
    writers: list[asyncio.StreamWriter] = []

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        await reader.readuntil(b"\r\n\r\n")
        writer.write(RESPONSE)
        writer.write_eof()
        answered.put_nowait(reader)

    listening = await asyncio.start_server(answer, "127.0.0.1", 0)
    try:
        yield listening.sockets[0].getsockname()[1], answered
    finally:
        for writer in writers:
            writer.close()
        listening.close()
        await listening.wait_closed()


async def test_the_proxy_stopping_as_a_phone_connection_closes_closes_the_server_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A phone on a slow network: the proxy's side of its connection is still closing (its
    # last bytes in flight) when the test ends and the proxy stops, cancelling that wait.
    closing = asyncio.Event()
    wait_closed = asyncio.StreamWriter.wait_closed

    async def slow_wait_closed(self: asyncio.StreamWriter) -> None:
        closing.set()
        await asyncio.sleep(3600)
        await wait_closed(self)

    async with web_server() as (port, answered):
        monkeypatch.setattr(asyncio.StreamWriter, "wait_closed", slow_wait_closed)
        async with network_proxy(pass_on) as url:
            proxy = urlsplit(url)
            reader, phone = await asyncio.open_connection(proxy.hostname, proxy.port)
            phone.write(f"GET http://127.0.0.1:{port}/ HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            assert await asyncio.wait_for(reader.read(), 5) == RESPONSE
            await asyncio.wait_for(closing.wait(), 5)
        monkeypatch.undo()
        phone.close()
        server_side = await asyncio.wait_for(answered.get(), 5)
        # The proxy closed its connection to the server: the server reads to its end.
        assert await asyncio.wait_for(server_side.read(), 5) == b""
