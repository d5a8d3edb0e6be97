"""Browser fixtures: the real server in a subprocess, headless Chromium, and phone-sized contexts.

The server shares the test database with the in-process ``app`` fixture, so the
top-level autouse ``clean_tables`` fixture empties it before every test here too.

``dev_server`` is a second one as ``make run`` runs it (``REACHOUT_ENV=development``, so
``/dev/mail`` exists), with a mail sink keeping what it is sent where ``/dev/mail`` reads;
``dev_mail`` adds the worker process that sends the outbox there, and ``dev_phone_page``
opens phones on it.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from asyncio.subprocess import Process
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect
from starlette.applications import Starlette

from server.config import load_settings
from server.devmail import mailbox
from server.local_services.mail_sink import LocalMailSink, ReceivedMail
from server.local_services.push_service import LocalPushService
from tests.browser.camera import qr_video
from tests.conftest import PROJECT_ROOT, TEST_SECRET

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# A small Android phone: what most people at an event hold.
PHONE: dict[str, Any] = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    "locale": "en-US",
}
TIMEOUT_MS = 10_000
# Assertions wait as long as actions do (Playwright's own default for them is 5 s): on a
# loaded CI machine a swap's redirect or a worker's answer can take longer than that, and
# an assertion that holds returns at once however long it may wait.
expect.set_options(timeout=TIMEOUT_MS)
STARTUP_SECONDS = 30
# The worker process starts (imports, migrations checked, keys loaded), then sends at once.
MAIL_SECONDS = 30

NewPage = Callable[..., Awaitable[Page]]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def output_of(log: Path) -> str:
    """What a process wrote to its log, for a failure's message."""
    return log.read_text(errors="replace")


async def wait_until_healthy(process: Process, url: str, log: Path) -> None:
    """Until the server at ``url`` answers ``/healthz``; the test fails with its log if it
    exits or does not answer in time."""
    deadline = time.monotonic() + STARTUP_SECONDS
    async with httpx.AsyncClient(timeout=1) as client:
        while time.monotonic() < deadline:
            if process.returncode is not None:
                pytest.fail(f"the server exited with {process.returncode}:\n{output_of(log)}")
            try:
                if (await client.get(f"{url}/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    pytest.fail(f"the server did not answer /healthz within {STARTUP_SECONDS}s:\n{output_of(log)}")


@asynccontextmanager
async def server_process(command: str, env: Mapping[str, str], log: Path) -> AsyncIterator[Process]:
    """``python -m server <command>`` with ``env`` as its whole environment, its output
    in ``log``; stopped as a platform stops it (SIGTERM, killed after 10 s) at the end.

    Started and awaited in the event loop, which keeps running meanwhile: the local push
    service and mail sinks in it answer while a process starts, works and stops.
    """
    with log.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "server",
            command,
            cwd=PROJECT_ROOT,
            env=dict(env),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.terminate()
        try:
            await asyncio.wait_for(process.wait(), timeout=10)
        except TimeoutError:
            process.kill()
            await process.wait()


def local_url(port: int) -> str:
    # localhost, not 127.0.0.1: a secure context either way, but only a name can be a WebAuthn
    # relying party (passkeys), and it is what a newcomer's browser shows for `make run`.
    return f"http://localhost:{port}"


def server_environment(
    port: int, database_url: str, data_dir: Path, push_service: LocalPushService
) -> dict[str, str]:
    """What a browser test's server process starts with (a web process on ``port``, or a
    worker whose links lead there), on the test database; mail goes to ``SMTP_URL``, which
    the caller adds."""
    return {
        **os.environ,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "DATABASE_URL": database_url,
        "SECRET_KEY": TEST_SECRET,
        "BASE_URL": local_url(port),
        "REACHOUT_ENV": "test",
        "REACHOUT_DATA_DIR": str(data_dir),
        "WEB_CONCURRENCY": "1",
        "LOG_LEVEL": "warning",
        "PUSH_SERVICES": "127.0.0.1:*",
        "PUSH_CA_FILE": push_service.ca_file,
    }


@pytest.fixture(scope="session")
async def live_server(
    database_url: str,
    app: Starlette,
    tmp_path_factory: pytest.TempPathFactory,
    push_service: LocalPushService,
    mail_sink: LocalMailSink,
) -> AsyncIterator[str]:
    """The real server (``python -m server web``) on a free port; yields its base URL.

    It depends on ``app`` so that the in-process app has already migrated the
    shared database and ``clean_tables`` can empty it before each test. It accepts
    push subscriptions on the local test push service (and no other).
    """
    port = free_port()
    base_url = local_url(port)
    data_dir = tmp_path_factory.mktemp("live-data")
    log = data_dir / "server.log"
    env = {
        **server_environment(port, database_url, data_dir, push_service),
        "SMTP_URL": mail_sink.url,
    }
    async with server_process("web", env, log) as process:
        await wait_until_healthy(process, base_url, log)
        yield base_url


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        await chromium.close()


async def phone_context(browser: Browser, **options: Any) -> BrowserContext:
    """A fresh phone: its own cookies and storage, 360x740 touch screen, US English."""
    context = await browser.new_context(**{**PHONE, **options})
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context


@asynccontextmanager
async def phones(browser: Browser, base_url: str) -> AsyncIterator[NewPage]:
    """A maker of phones on the server at ``base_url``, closing them all at the end."""
    contexts: list[BrowserContext] = []

    async def make(**options: Any) -> Page:
        context = await phone_context(browser, base_url=base_url, **options)
        contexts.append(context)
        return await context.new_page()

    try:
        yield make
    finally:
        for context in contexts:
            await context.close()


@pytest.fixture
async def new_phone_page(browser: Browser, live_server: str) -> AsyncIterator[NewPage]:
    """Open as many phones as a test needs; each call is a new phone with one tab.

    Relative URLs in ``page.goto`` resolve against the live server.
    """
    async with phones(browser, live_server) as make:
        yield make


# -- make run in miniature: /dev/mail, with the mail the worker sent ------------------------


@dataclass(frozen=True)
class DevServer:
    """The web process in development, and the mail sink whose directory it lists."""

    url: str
    sink: LocalMailSink  # keeps each message in ``mail_dir``, as make run's mail-sink does
    mail_dir: Path
    env: dict[str, str]  # the web process's, SMTP_URL the sink's: a worker's too


@pytest.fixture(scope="module")
async def dev_server(
    database_url: str,
    app: Starlette,
    tmp_path_factory: pytest.TempPathFactory,
    push_service: LocalPushService,
) -> AsyncIterator[DevServer]:
    """``python -m server web`` with ``REACHOUT_ENV=development``, so ``/dev/mail`` exists,
    and a ``LocalMailSink`` (in this event loop) keeping mail in its data directory's
    ``mail/``, where ``/dev/mail`` reads it, as ``make run``'s mail-sink process does.

    On the test database, as ``live_server``: ``clean_tables`` empties it before each test,
    and a test can look into it with the ``pool`` fixture. SECRET_KEY is given, so nothing
    is generated into the data directory, and the worker's signed links are the web's.
    """
    port = free_port()
    data_dir = tmp_path_factory.mktemp("dev-data")
    env = {
        **server_environment(port, database_url, data_dir, push_service),
        "REACHOUT_ENV": "development",
    }
    mail_dir = mailbox.directory(load_settings(env))
    log = data_dir / "web.log"
    async with LocalMailSink(directory=mail_dir) as sink:
        env["SMTP_URL"] = sink.url
        async with server_process("web", env, log) as process:
            await wait_until_healthy(process, local_url(port), log)
            yield DevServer(local_url(port), sink, mail_dir, env)


@dataclass(frozen=True)
class DevMail:
    """The mail the dev server's worker sent this test, as the sink received it."""

    sink: LocalMailSink
    worker_log: Path

    async def wait_for(self, count: int) -> list[ReceivedMail]:
        """Until ``count`` messages arrived (the worker's log tells why not, if not)."""
        try:
            return await self.sink.wait_for(count, timeout=MAIL_SECONDS)
        except AssertionError as error:
            raise AssertionError(
                f"{error}\nThe worker said:\n{output_of(self.worker_log)}"
            ) from None


@pytest.fixture
async def dev_mail(
    dev_server: DevServer, clean_tables: None, tmp_path: Path
) -> AsyncIterator[DevMail]:
    """The worker process (``python -m server worker``) sending the outbox to the dev
    server's sink, its links to the dev server; the sink emptied of earlier tests' mail.

    Started for each test, once ``clean_tables`` has run: started before, it would send
    what earlier tests left queued in the shared database.
    """
    dev_server.sink.received.clear()
    for kept in dev_server.mail_dir.glob("*.eml"):
        kept.unlink()
    log = tmp_path / "worker.log"
    async with server_process("worker", {**dev_server.env, "LOG_LEVEL": "info"}, log):
        yield DevMail(dev_server.sink, log)


@pytest.fixture
async def dev_phone_page(browser: Browser, dev_server: DevServer) -> AsyncIterator[NewPage]:
    """As ``new_phone_page``, on the dev server."""
    async with phones(browser, dev_server.url) as make:
        yield make


CameraPhone = Callable[..., Awaitable[Page]]  # (text, **context options) -> its page


@pytest.fixture
async def camera_phone(
    browser: Browser, live_server: str, tmp_path: Path
) -> AsyncIterator[CameraPhone]:
    """A phone whose camera sees the QR code of some text: ``await camera_phone(text)``.

    Each is its own Chromium (the fake camera is a command-line switch), whose only
    camera plays a Y4M file of that QR code in a loop. Camera permission is not granted:
    the test grants it (``context.grant_permissions(["camera"])``) when the person
    would point the camera; until then ``getUserMedia`` is refused, as on a phone whose
    owner has not allowed it yet. (No ``--use-fake-ui-for-media-stream``: it would allow
    the camera always.)
    """
    launched: list[Browser] = []

    async def make(text: str, **options: Any) -> Page:
        video = qr_video(tmp_path / f"camera-{len(launched)}.y4m", text)
        chromium = await browser.browser_type.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                *CHROMIUM_ARGS,
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ],
        )
        launched.append(chromium)
        context = await phone_context(chromium, base_url=live_server, **options)
        return await context.new_page()

    yield make
    for chromium in launched:
        await chromium.close()


@pytest.fixture
async def profile_phone(
    browser: Browser, live_server: str, tmp_path: Path
) -> AsyncIterator[NewPage]:
    """A phone with a real browser profile on disk, for what Chromium refuses to an
    incognito context such as the ones ``new_phone_page`` makes (installing an app).
    """
    contexts: list[BrowserContext] = []

    async def make(**options: Any) -> Page:
        context = await browser.browser_type.launch_persistent_context(
            tmp_path / f"profile-{len(contexts)}",
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            base_url=live_server,
            **{**PHONE, **options},
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.pages[0] if context.pages else await context.new_page()

    yield make
    for context in contexts:
        await context.close()
