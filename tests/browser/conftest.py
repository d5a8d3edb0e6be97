"""Browser fixtures: the real server in a subprocess, headless Chromium, and phone-sized contexts.

The server shares the test database with the in-process ``app`` fixture, so the
top-level autouse ``clean_tables`` fixture empties it before every test here too.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright
from starlette.applications import Starlette

from server.local_services.mail_sink import LocalMailSink
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
STARTUP_SECONDS = 30

NewPage = Callable[..., Awaitable[Page]]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_healthy(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"the server did not answer /healthz within {STARTUP_SECONDS}s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def live_server(
    database_url: str,
    app: Starlette,
    tmp_path_factory: pytest.TempPathFactory,
    push_service: LocalPushService,
    mail_sink: LocalMailSink,
) -> Iterator[str]:
    """The real server (``python -m server web``) on a free port; yields its base URL.

    It depends on ``app`` so that the in-process app has already migrated the
    shared database and ``clean_tables`` can empty it before each test. It accepts
    push subscriptions on the local test push service (and no other).
    """
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    data_dir = tmp_path_factory.mktemp("live-data")
    log = data_dir / "server.log"
    env = {
        **os.environ,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "DATABASE_URL": database_url,
        "SECRET_KEY": TEST_SECRET,
        "BASE_URL": base_url,
        "REACHOUT_ENV": "test",
        "REACHOUT_DATA_DIR": str(data_dir),
        "WEB_CONCURRENCY": "1",
        "LOG_LEVEL": "warning",
        "PUSH_SERVICES": "127.0.0.1",
        "PUSH_CA_FILE": push_service.ca_file,
        "SMTP_URL": mail_sink.url,
    }
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "server", "web"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_healthy(process, base_url, log)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


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


@pytest.fixture
async def new_phone_page(browser: Browser, live_server: str) -> AsyncIterator[NewPage]:
    """Open as many phones as a test needs; each call is a new phone with one tab.

    Relative URLs in ``page.goto`` resolve against the live server.
    """
    contexts: list[BrowserContext] = []

    async def make(**options: Any) -> Page:
        context = await phone_context(browser, base_url=live_server, **options)
        contexts.append(context)
        return await context.new_page()

    yield make
    for context in contexts:
        await context.close()


CameraPhone = Callable[[str], Awaitable[Page]]


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

    async def make(text: str) -> Page:
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
        context = await phone_context(chromium, base_url=live_server)
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
