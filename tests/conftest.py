"""Fixtures: a fresh PostgreSQL database for the run, the app in-process, and simulated phones."""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest
from starlette.applications import Starlette

from server.app import create_app
from server.config import Settings, load_settings
from server.local_services.mail_sink import LocalMailSink
from server.local_services.push_service import LocalPushService

# A fixture for race tests of lock order, available to every test.
from tests.deadlocks_at_once import deadlocks_seen_at_once  # noqa: F401
from tests.phone import Phone

TEST_SECRET = "test-secret-key-" + "k" * 40


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


async def create_database(admin_url: str, name: str) -> str:
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return with_database(admin_url, name)


async def drop_database(admin_url: str, name: str) -> None:
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def admin_url() -> Iterator[str]:
    """A PostgreSQL server: DATABASE_URL when given, otherwise an embedded one for this run."""
    if os.environ.get("DATABASE_URL"):
        yield os.environ["DATABASE_URL"]
        return
    from server.db import embedded_pg

    # Not under pytest's basetemp: a concurrent pytest run prunes old basetemps,
    # which would pull the data directory from under a running server.
    data_dir = Path(tempfile.mkdtemp(prefix="reachout-test-pg-"))
    server, url = embedded_pg.start(data_dir)
    yield url
    server.cleanup()
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
async def database_url(admin_url: str) -> AsyncIterator[str]:
    name = f"reachout_test_{secrets.token_hex(4)}"
    url = await create_database(admin_url, name)
    yield url
    await drop_database(admin_url, name)


@asynccontextmanager
async def separate_app(admin_url: str, data_dir: Path) -> AsyncIterator[tuple[Starlette, str]]:
    """An app on a database of its own, for tests that break the database on purpose."""
    name = f"reachout_own_{secrets.token_hex(4)}"
    url = await create_database(admin_url, name)
    settings = load_settings(
        {
            "REACHOUT_ENV": "test",
            "DATABASE_URL": url,
            "SECRET_KEY": TEST_SECRET,
            "REACHOUT_DATA_DIR": str(data_dir),
        }
    )
    application = create_app(settings)
    try:
        async with application.router.lifespan_context(application):
            yield application, name
    finally:
        await drop_database(admin_url, name)


@pytest.fixture(scope="session")
async def push_service() -> AsyncIterator[LocalPushService]:
    """The local push service every test that sends reminders talks to."""
    async with LocalPushService() as service:
        yield service


@pytest.fixture(scope="session")
async def mail_sink(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[LocalMailSink]:
    """The local mail sink every test that sends mail talks to (SMTP_URL of the test app
    and of worker processes); it keeps each message under a directory of its own."""
    async with LocalMailSink(directory=tmp_path_factory.mktemp("mail")) as sink:
        yield sink


@pytest.fixture(scope="session")
def settings(
    database_url: str,
    tmp_path_factory: pytest.TempPathFactory,
    push_service: LocalPushService,
    mail_sink: LocalMailSink,
) -> Settings:
    return load_settings(test_environment(database_url, tmp_path_factory, push_service, mail_sink))


def test_environment(
    database_url: str,
    tmp_path_factory: pytest.TempPathFactory,
    push_service: LocalPushService,
    mail_sink: LocalMailSink,
) -> dict[str, str]:
    """The environment of a test server or worker process."""
    return {
        "REACHOUT_ENV": "test",
        "DATABASE_URL": database_url,
        "SECRET_KEY": TEST_SECRET,
        "BASE_URL": "http://testserver",
        "REACHOUT_DATA_DIR": str(tmp_path_factory.mktemp("data")),
        # The local push service is the only one tests may send to, and its TLS
        # certificate is made at start, so the worker is told to trust it.
        "PUSH_SERVICES": "127.0.0.1:*",
        "PUSH_CA_FILE": push_service.ca_file,
        # Mail goes over SMTP to the local sink, never to a real server.
        "SMTP_URL": mail_sink.url,
    }


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[Starlette]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture(autouse=True)
async def clean_tables(app: Starlette) -> None:
    # A page left open by the test before (a browser's poll, a service worker's sync)
    # may still be reading when this truncates; PostgreSQL then picks one of the two
    # as a deadlock's victim. When it picks us, the page's read has finished by the
    # time it tells us, so a second go finds the tables free.
    for attempt in range(5):
        try:
            await app.state.pool.execute(
                "TRUNCATE accounts, email_addresses, limit_slots, sessions_of_deleted_accounts"
                " RESTART IDENTITY CASCADE"
            )
            return
        except asyncpg.DeadlockDetectedError:
            if attempt == 4:
                raise


@pytest.fixture(scope="session")
def worker_env(
    database_url: str,
    tmp_path_factory: pytest.TempPathFactory,
    push_service: LocalPushService,
    mail_sink: LocalMailSink,
) -> dict[str, str]:
    """Environment for a worker subprocess on the test database."""
    return test_environment(database_url, tmp_path_factory, push_service, mail_sink)


@pytest.fixture
def push(push_service: LocalPushService, app: Starlette) -> Iterator[LocalPushService]:
    """The push service, reset for this test (nothing received yet) and checking our VAPID
    key."""
    push_service.latency = 0.0
    push_service.received.clear()
    push_service.expected_public_key = app.state.vapid.application_server_key
    yield push_service
    push_service.release()


@pytest.fixture
def pool(app: Starlette) -> asyncpg.Pool:
    return app.state.pool  # type: ignore[no-any-return]


@pytest.fixture
async def new_phone(app: Starlette) -> AsyncIterator[Callable[[], Awaitable[Phone]]]:
    """Make as many phones (browsers with their own cookie jars) as a test needs."""
    clients: list[httpx.AsyncClient] = []

    async def make(**headers: str) -> Phone:
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://testserver",
            headers={"accept-language": "en-US,en;q=0.9", **headers},
        )
        clients.append(client)
        return Phone(client, app)

    yield make
    for client in clients:
        await client.aclose()


Visitor = Callable[[str], Awaitable[Phone]]


@pytest.fixture
async def visitor(app) -> AsyncIterator[Visitor]:
    """A phone with no card, from an address of its own choosing."""
    clients: list[httpx.AsyncClient] = []

    async def make(address: str) -> Phone:
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=(address, 40000)),
            base_url="http://testserver",
        )
        clients.append(client)
        return Phone(client, app)

    yield make
    for client in clients:
        await client.aclose()


PROJECT_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def mail(mail_sink: LocalMailSink) -> Iterator[LocalMailSink]:
    """The mail sink, answering normally and empty for this test."""
    mail_sink.accept()
    mail_sink.latency = 0.0
    mail_sink.received.clear()
    yield mail_sink
    mail_sink.accept()
