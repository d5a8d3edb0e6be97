"""The push worker's HTTP client against real servers: what a reminder's fate depends on.

Most sends go to the local push service over TLS (every reminder test does); these use a
plain aiohttp server on loopback to make it misbehave in the ways a push service can:
close the connection after answering, close an idle one, answer in chunks, never answer.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping

import pytest
from aiohttp import web

from server.followups import push
from server.followups.push_http import PushHttp

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Server:
    """An aiohttp server on loopback recording, per request, the client's port (a new
    port is a new connection) and what arrived."""

    def __init__(self) -> None:
        self.ports: list[int] = []
        self.bodies: list[bytes] = []
        self.headers: list[Mapping[str, str]] = []
        self.handler: Handler | None = None
        self.url = ""

    async def handle(self, request: web.Request) -> web.StreamResponse:
        assert request.transport is not None
        self.ports.append(request.transport.get_extra_info("peername")[1])
        self.bodies.append(await request.read())
        self.headers.append(request.headers)  # case-insensitive
        assert self.handler is not None
        return await self.handler(request)


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    recorded = Server()
    app = web.Application()
    app.router.add_post("/push/{id}", recorded.handle)
    runner = web.AppRunner(app, keepalive_timeout=0.3)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    recorded.url = f"http://127.0.0.1:{port}"
    try:
        yield recorded
    finally:
        await runner.cleanup()


@pytest.fixture
async def http() -> AsyncIterator[PushHttp]:
    async with PushHttp(ssl.create_default_context(), limit=8) as client:
        yield client


async def created(request: web.Request) -> web.Response:
    return web.Response(status=201)


async def test_one_connection_carries_sends_one_after_another(server, http):
    server.handler = created
    for n in range(5):
        answer = await http.post(
            f"{server.url}/push/{n}", {"ttl": "60", "topic": "contact-1"}, b"x" * n, seconds=5
        )
        assert answer.status == 201
    assert len(set(server.ports)) == 1
    assert server.bodies == [b"x" * n for n in range(5)]
    assert server.headers[0]["Ttl"] == "60" and server.headers[0]["Topic"] == "contact-1"
    assert server.headers[0]["Host"] == server.url.removeprefix("http://")


async def test_concurrent_sends_open_connections_up_to_the_limit(server):
    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(0.1)
        return web.Response(status=201)

    server.handler = slow
    async with PushHttp(ssl.create_default_context(), limit=3) as http:
        answers = await asyncio.gather(
            *(http.post(f"{server.url}/push/{n}", {}, b"m", seconds=5) for n in range(9))
        )
    assert [a.status for a in answers] == [201] * 9
    assert len(set(server.ports)) == 3


async def test_a_connection_the_service_closes_is_not_used_again(server, http):
    async def closing(request: web.Request) -> web.Response:
        return web.Response(status=201, headers={"Connection": "close"})

    server.handler = closing
    assert (await http.post(f"{server.url}/push/a", {}, b"1", seconds=5)).status == 201
    assert (await http.post(f"{server.url}/push/b", {}, b"2", seconds=5)).status == 201
    assert len(set(server.ports)) == 2


async def test_an_idle_connection_the_service_dropped_is_replaced(server, http):
    server.handler = created
    assert (await http.post(f"{server.url}/push/a", {}, b"1", seconds=5)).status == 201
    await asyncio.sleep(0.8)  # past the server's keep-alive of 0.3 s: it closed the connection
    assert (await http.post(f"{server.url}/push/b", {}, b"2", seconds=5)).status == 201
    assert len(set(server.ports)) == 2


async def test_an_error_answer_keeps_its_text_and_retry_after(server, app):
    async def busy(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(status=429, headers={"Retry-After": "120"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        await response.write(b"Too many ")
        await response.write(b"messages for this subscription")
        await response.write_eof()
        return response

    server.handler = busy
    async with PushHttp(ssl.create_default_context(), limit=2) as http:
        sender = push.PushSender(app.state.vapid, "mailto:ops@example.com", http)
        browser = push.VapidKeys.generate()  # any valid P-256 point will do for a subscriber
        point = browser.application_server_key
        result = await sender.send(
            push.Subscription(f"{server.url}/push/x", point, "AAAAAAAAAAAAAAAAAAAAAA"),
            {"title": "t"},
            ttl=60,
        )
        assert result.status == 429 and result.retryable and not result.sent
        assert result.retry_after == 120.0
        assert result.error == "Too many messages for this subscription"
        # The chunked answer was read to its end: the connection carries the next send.
        server.handler = created
        again = await sender.send(
            push.Subscription(f"{server.url}/push/y", point, "AAAAAAAAAAAAAAAAAAAAAA"),
            {"title": "t"},
            ttl=60,
        )
    assert again.sent and len(set(server.ports)) == 1


async def test_no_answer_in_time_is_a_retryable_failure_and_the_connection_goes(server, app):
    release = asyncio.Event()

    async def stuck(request: web.Request) -> web.Response:
        await release.wait()
        return web.Response(status=201)

    server.handler = stuck
    async with PushHttp(ssl.create_default_context(), limit=2) as http:
        sender = push.PushSender(app.state.vapid, "mailto:ops@example.com", http, timeout=0.3)
        point = push.VapidKeys.generate().application_server_key
        subscription = push.Subscription(f"{server.url}/push/x", point, "AAAAAAAAAAAAAAAAAAAAAA")
        result = await sender.send(subscription, {"title": "t"}, ttl=60)
        assert result.status == 0 and result.retryable and "TimeoutError" in result.error
        release.set()
        server.handler = created
        assert (await sender.send(subscription, {"title": "t"}, ttl=60)).sent
    assert len(set(server.ports)) == 2  # the timed-out connection was not reused


async def test_an_endpoint_it_cannot_send_to_is_a_failed_send_not_a_crash(app):
    # Stored endpoints were checked on subscribe; one that is no URL still only fails its send.
    async with PushHttp(ssl.create_default_context(), limit=2) as http:
        sender = push.PushSender(app.state.vapid, "mailto:ops@example.com", http)
        point = push.VapidKeys.generate().application_server_key
        for endpoint in ("https://push.example:port/x", "ftp://push.example/x"):
            result = await sender.send(
                push.Subscription(endpoint, point, "AAAAAAAAAAAAAAAAAAAAAA"), {}, ttl=60
            )
            assert result.status == 0 and "not an endpoint we send to" in result.error
