"""A forward HTTP proxy for one phone (Playwright's ``proxy`` option), which sees every request
its pages and its service worker send, on the network. ``context.route`` misses some: a page's
request that the service worker's fetch handler let through went by it now and then, unrouted.

Each request gets its own connection to the server (``Connection: close``), so the proxy need
not know where a response ends. ``answer`` decides each one: None to pass it on, ``b""`` to
drop the connection unanswered (a network error for the sender), or a raw HTTP response."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Sent:
    method: str
    path: str
    # The request's headers (names in lower case, as sent, less the hop-by-hop ones) and body.
    headers: dict[str, str] = field(default_factory=dict, compare=False)
    body: bytes = b""


Answer = Callable[[Sent], Awaitable[bytes | None]]
# Hop-by-hop headers of the browser's connection to the proxy, not passed on.
HOP = ("proxy-connection:", "connection:", "keep-alive:")


async def _relay(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while chunk := await reader.read(65536):
        writer.write(chunk)
        await writer.drain()


@contextlib.asynccontextmanager
async def network_proxy(answer: Answer) -> AsyncIterator[str]:
    """The proxy's URL, for as long as it runs."""

    serving: set[asyncio.Task[None]] = set()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        serving.add(task)
        upstream: asyncio.StreamWriter | None = None
        try:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            method, target, version = head[0].split(" ", 2)
            url = urlsplit(target)
            headers = [h for h in head[1:] if h and not h.lower().startswith(HOP)]
            named = {h.split(":", 1)[0].lower(): h.split(":", 1)[1].strip() for h in headers}
            body = await reader.readexactly(int(named.get("content-length", "0")))
            said = await answer(Sent(method, url.path, named, body))
            if said is not None:
                writer.write(said)
                await writer.drain()
                return
            up_reader, upstream = await asyncio.open_connection(url.hostname, url.port)
            path = url.path + (f"?{url.query}" if url.query else "")
            lines = [f"{method} {path} {version}", *headers, "Connection: close", "", ""]
            upstream.write("\r\n".join(lines).encode("latin-1") + body)
            await upstream.drain()
            await _relay(up_reader, writer)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, OSError, ValueError):
            pass
        finally:
            # Closed here, whether it ended or was cancelled as the proxy stopped: a socket
            # left to the garbage collector is a ResourceWarning, an error in this suite
            # (failing whichever test is running when it is collected). Both are closed
            # before either is waited for: the proxy stopping cancels this wait, and the
            # server's connection is not to be left open behind the phone's.
            opened = [stream for stream in (writer, upstream) if stream is not None]
            for stream in opened:
                stream.close()
            for stream in opened:
                with contextlib.suppress(OSError):
                    await stream.wait_closed()
            serving.discard(task)

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        # The phones' idle connections and long polls, still open.
        for task in list(serving):
            task.cancel()
        await asyncio.gather(*serving, return_exceptions=True)
        await server.wait_closed()
