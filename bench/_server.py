"""Start-up shared by the benchmarks: a fresh database and the real server.

``bench_database`` yields a database made for this run (its URL, and the
embedded server's pid when there is one), on the server in ``DATABASE_URL``
when that is set, otherwise on an embedded PostgreSQL in a temporary folder; the
database is dropped (and the embedded server stopped) afterwards.
``web_server`` runs ``python -m server web`` as a subprocess on a free loopback
port, with ``WEB_CONCURRENCY`` uvicorn workers, and waits until every worker has
started and ``/healthz`` answers; ``floor_server`` runs ``bench/_floor.py`` (bench/swap.py's
floor) the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import socket
import sys
import time
import warnings
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:  # `python bench/x.py` puts bench/, not the root, first
    sys.path.insert(0, str(PROJECT_ROOT))

HOST = "127.0.0.1"
# The server's key for this run; the benchmarks only hand it to the server they start.
SECRET_KEY = "bench-secret-" + secrets.token_urlsafe(36)
READY_SECONDS = 60
STARTED = "Application startup complete"


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


@dataclass(frozen=True)
class Database:
    url: str
    postmaster_pid: int | None  # the embedded server's; None for one in DATABASE_URL


@contextlib.asynccontextmanager
async def bench_database(tmp: Path) -> AsyncIterator[Database]:
    """A new, empty database for this run."""
    pg = None
    admin_url = os.environ.get("DATABASE_URL", "")
    if not admin_url:
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset; pgserver asks it for a lock path.
            warnings.simplefilter("ignore", UserWarning)
            from server.db import embedded_pg

            pg, admin_url = await asyncio.to_thread(embedded_pg.start, tmp)
    name = f"reachout_bench_{secrets.token_hex(4)}"
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    try:
        yield Database(with_database(admin_url, name), pg.get_pid() if pg else None)
    finally:
        conn = await asyncpg.connect(admin_url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()
        if pg is not None:
            # Before the temporary folder holding its data goes away.
            await asyncio.to_thread(pg.cleanup)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass
class WebServer:
    base_url: str
    port: int
    workers: int
    process: asyncio.subprocess.Process
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


async def _wait_ready(server: WebServer) -> None:
    deadline = time.monotonic() + READY_SECONDS
    async with httpx.AsyncClient(base_url=server.base_url, timeout=2) as client:
        while time.monotonic() < deadline:
            if server.process.returncode is not None:
                raise RuntimeError(f"the server exited early:\n{server.log_tail()}")
            started = server.log_path.read_text(errors="replace").count(STARTED)
            if started >= server.workers:
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get("/healthz")).status_code == 200:
                        return
            await asyncio.sleep(0.1)
    tail = server.log_tail()
    raise RuntimeError(f"the server did not become ready in {READY_SECONDS} s:\n{tail}")


async def _stop(server: WebServer) -> None:
    process = server.process
    if process.returncode is None:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 15)
        except TimeoutError:
            # Our own process group (start_new_session): the server and its workers.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            await process.wait()


@contextlib.asynccontextmanager
async def web_server(
    database_url: str, tmp: Path, *, workers: int = 1, direct_url: str | None = None
) -> AsyncIterator[WebServer]:
    """``python -m server web`` with ``workers`` uvicorn processes, ready to serve;
    ``direct_url`` when ``database_url`` is a pooler's (DATABASE_DIRECT_URL)."""
    port = free_port()
    base_url = f"http://{HOST}:{port}"
    data_dir = tmp / f"data-{port}"
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {
        "SECRET_KEY": SECRET_KEY,
        "BASE_URL": base_url,
        "REACHOUT_ENV": "test",
        "REACHOUT_DATA_DIR": str(data_dir),
        **({"DATABASE_DIRECT_URL": direct_url} if direct_url else {}),
    }
    async with _serving(["-m", "server", "web"], env, database_url, tmp, port, workers) as server:
        yield server


@contextlib.asynccontextmanager
async def floor_server(
    database_url: str,
    tmp: Path,
    *,
    workers: int = 1,
    direct_url: str | None = None,
    writes: str = "two-inserts",
) -> AsyncIterator[WebServer]:
    """bench/_floor.py (the least a swap must do) as ``web_server`` runs ours, ready to serve;
    ``writes="ours"``: the bare app with our reads and writes (FLOOR_WRITES)."""
    argv = [str(PROJECT_ROOT / "bench" / "_floor.py")]
    env = {"FLOOR_WRITES": writes, "SECRET_KEY": SECRET_KEY}
    if direct_url:
        env["DATABASE_DIRECT_URL"] = direct_url
    async with _serving(argv, env, database_url, tmp, free_port(), workers) as server:
        yield server


@contextlib.asynccontextmanager
async def _serving(
    argv: list[str],
    extra_env: dict[str, str],
    database_url: str,
    tmp: Path,
    port: int,
    workers: int,
) -> AsyncIterator[WebServer]:
    env = {
        **os.environ,
        "PORT": str(port),
        "HOST": HOST,
        "DATABASE_URL": database_url,
        "WEB_CONCURRENCY": str(workers),
        "LOG_LEVEL": "info",  # the access log is off; info only says when workers start
        "PYTHONUNBUFFERED": "1",
        **extra_env,
    }
    log_path = tmp / f"web-{port}.log"
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            *argv,
            cwd=PROJECT_ROOT,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )
    server = WebServer(f"http://{HOST}:{port}", port, workers, process, log_path)
    try:
        await _wait_ready(server)
        yield server
    finally:
        await _stop(server)
