"""`make run` stays up through a PostgreSQL restart.

``python -m server dev`` runs for real, as ``make run`` runs it: its embedded PostgreSQL,
then honcho with the web process and the reminder worker. The test restarts that
PostgreSQL under it with ``pg_ctl restart -m fast``, then stops it for a while and starts
it again, and checks that nothing had to be restarted by hand: the same processes answer
again, honcho stopped nothing, and Ctrl-C still stops everything, PostgreSQL included.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import psutil
import pytest

from tests.conftest import PROJECT_ROOT
from tests.own_postgres import Postgres, data_directory, pg_ctl, postmaster

# Bounds, generous for a loaded two-core machine; a healthy run takes a fraction of each.
STARTS_WITHIN = 60.0  # initdb, migrations, honcho, uvicorn
ANSWERS_AGAIN_WITHIN = 30.0
STOPS_WITHIN = 30.0


class Dev:
    """A running ``python -m server dev``, with everything it has printed so far."""

    def __init__(self, process: asyncio.subprocess.Process, data_dir: Path, port: int) -> None:
        self.process = process
        self.pgdata = data_dir / "pg"
        self.http = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5)
        self.lines: list[str] = []
        self.seen: dict[int, psutil.Process] = {}  # every descendant, to be sure none is left
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process.stdout is not None
        while line := await self.process.stdout.readline():
            self.lines.append(line.decode(errors="replace").rstrip())

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def since(self, mark: int) -> list[str]:
        return self.lines[mark:]

    def worker_said(self, text: str, mark: int = 0) -> list[str]:
        """The worker's lines starting with ``text`` (honcho prefixes each with its name)."""
        return [line for line in self.since(mark) if f"worker.1 | {text}" in line]

    def children(self) -> dict[str, psutil.Process]:
        """The web and worker Python processes under honcho, by Procfile name."""
        found: dict[str, psutil.Process] = {}
        for child in psutil.Process(self.process.pid).children(recursive=True):
            self.seen[child.pid] = child
            with contextlib.suppress(psutil.Error):
                command = child.cmdline()
                if command[-3:-1] == ["-m", "server"] and "python" in Path(command[0]).name:
                    found[command[-1]] = child
        return found

    async def health(self) -> int | None:
        """/healthz's status; None while nothing listens."""
        try:
            response = await self.http.get("/healthz")
        except httpx.TransportError:
            return None
        expected = {200: "up", 503: "down"}.get(response.status_code)
        assert response.json()["database"] == expected, response.text
        return response.status_code

    async def page(self) -> httpx.Response:
        """The start page, for someone with a session cookie: the page has to look it up."""
        cookie = f"ro_session={secrets.token_urlsafe(32)}"
        return await self.http.get("/", headers={"cookie": cookie})

    async def until(self, check: Callable[[], Awaitable[bool]], seconds: float, what: str) -> float:
        """Seconds until ``check`` holds; fails (with what dev printed) after ``seconds``, or
        as soon as dev exits."""
        started = time.monotonic()
        while not await check():
            if self.process.returncode is not None:
                pytest.fail(f"dev exited ({self.process.returncode}) before {what}:\n{self.output}")
            if time.monotonic() - started > seconds:
                pytest.fail(f"not {what} within {seconds:g} s:\n{self.output}")
            await asyncio.sleep(0.1)
        return time.monotonic() - started

    async def wait_for_line(self, text: str, mark: int, seconds: float) -> float:
        async def printed() -> bool:
            return any(text in line for line in self.since(mark))

        return await self.until(printed, seconds, f"printed {text!r}")

    async def exit_code(self, seconds: float) -> int | None:
        """dev's exit code, once it has exited; None if it still runs after ``seconds``."""
        # Not process.wait(): that also waits for the output pipe, which a process dev
        # left behind would hold open.
        for _ in range(round(seconds / 0.1)):
            if self.process.returncode is not None:
                break
            await asyncio.sleep(0.1)
        return self.process.returncode

    async def close(self) -> None:
        """Leave nothing running, whatever state the test failed in."""
        await self.http.aclose()
        with contextlib.suppress(psutil.Error):
            self.children()  # the last look: what to kill if dev is killed first
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
        # honcho puts each of its processes in a session of its own: not in dev's group.
        for child in self.seen.values():
            with contextlib.suppress(psutil.Error):
                child.kill()  # psutil makes sure it is still that process, not a reused pid
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.process.wait(), 10)
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader
        # pg_ctl starts PostgreSQL in a session of its own too, and it outlives a killed dev.
        if postmaster(self.pgdata) is not None:
            await asyncio.to_thread(pg_ctl, self.pgdata, "-w", "stop", "-m", "immediate")


@asynccontextmanager
async def make_run() -> AsyncIterator[Dev]:
    """``python -m server dev`` as ``make run`` starts it, on a data directory of its own."""
    # Not tmp_path: PostgreSQL, run as its own user, must reach the data (tests/own_postgres.py).
    data_dir = data_directory("dev")
    port = free_port()
    # No DATABASE_URL: the embedded PostgreSQL. No LOG_LEVEL: make run's own, at which the
    # worker says when it has started.
    unset = {"DATABASE_URL", "LOG_LEVEL"}
    env = {key: value for key, value in os.environ.items() if key not in unset}
    env |= {
        "REACHOUT_ENV": "development",
        "REACHOUT_DATA_DIR": str(data_dir),
        "PORT": str(port),
        # The mail sink on a free port too, so that this can run beside a real `make run`.
        "SMTP_URL": f"smtp://127.0.0.1:{free_port()}",
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "server",
        "dev",
        env=env,
        cwd=PROJECT_ROOT,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,  # a process group of its own, for a Ctrl-C and for cleanup
    )
    dev = Dev(process, data_dir, port)
    try:
        yield dev
    finally:
        try:
            await dev.close()
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(autouse=True)
def clean_tables() -> None:
    """dev brings its own PostgreSQL: the session's shared database is neither used nor
    started here."""


async def test_make_run_stays_up_through_a_postgres_restart() -> None:
    async with make_run() as dev:

        async def healthy() -> bool:
            return await dev.health() == 200

        async def database_down() -> bool:
            return await dev.health() == 503

        # Both serving: this is about a restart under a running `make run`, not one that
        # lands in the middle of a process's start-up.
        await dev.until(healthy, STARTS_WITHIN, "answering /healthz")
        await dev.wait_for_line("worker.1 | worker started", 0, STARTS_WITHIN)
        processes = dev.children()
        assert set(processes) == {"web", "worker", "mail-sink"}, dev.output
        pg = Postgres(dev.pgdata)
        url = pg.url

        # pg_ctl restart, as the issue has it: the same processes answer again.
        before = pg.pid
        await pg.restart()
        assert pg.pid not in (None, before), "PostgreSQL was not restarted"
        await dev.until(healthy, ANSWERS_AGAIN_WITHIN, "healthy after pg_ctl restart")
        page = await dev.page()
        assert page.status_code == 200, page.text

        # The worker may have tried the database in the moment it was away; if it did, it
        # said so once, and says when it is back (rather than stay "away" for the next part).
        async def worker_back() -> bool:
            return len(dev.worker_said("database unavailable")) == len(
                dev.worker_said("database back after")
            )

        await dev.until(worker_back, ANSWERS_AGAIN_WITHIN, "the worker back after the restart")
        assert len(dev.worker_said("database unavailable")) <= 1, dev.output
        assert_still_running(dev, processes)

        # Stopped for a while: 503s meanwhile, one line from the worker, then back.
        mark = len(dev.lines)
        await pg.stop()
        await dev.until(database_down, ANSWERS_AGAIN_WITHIN, "saying the database is down")
        page = await dev.page()
        assert page.status_code == 503 and "Back in a moment" in page.text
        assert page.headers["retry-after"] == "5"
        await dev.wait_for_line("worker.1 | database unavailable", mark, ANSWERS_AGAIN_WITHIN)
        await pg.start()
        assert pg.url == url
        await dev.until(healthy, ANSWERS_AGAIN_WITHIN, "healthy after pg_ctl stop and start")
        page = await dev.page()
        assert page.status_code == 200, page.text
        await dev.wait_for_line("worker.1 | database back after", mark, ANSWERS_AGAIN_WITHIN)
        worker_said = dev.worker_said("database", mark)
        assert len(worker_said) == 2, worker_said  # once away, once back: not once a try
        assert_still_running(dev, processes)

        # Ctrl-C (the whole foreground process group) stops everything, PostgreSQL too.
        mark = len(dev.lines)
        os.killpg(dev.process.pid, signal.SIGINT)
        assert await dev.exit_code(STOPS_WITHIN) == 0, dev.output
        stopped = "\n".join(dev.since(mark))
        assert "web.1 stopped" in stopped and "worker.1 stopped" in stopped, dev.output
        _, alive = psutil.wait_procs(list(processes.values()), timeout=5)
        assert not alive, alive
        assert postmaster(dev.pgdata) is None, "make run left its PostgreSQL running"


def assert_still_running(dev: Dev, processes: dict[str, psutil.Process]) -> None:
    """dev, honcho and both Procfile processes are the ones that started: none exited."""
    assert dev.process.returncode is None, dev.output
    assert " stopped (rc=" not in dev.output, dev.output  # honcho's line for an exit
    assert all(process.is_running() for process in processes.values()), dev.output
    assert dev.children() == processes, dev.output
