"""`make run` leaves nothing behind, and does not start twice.

``python -m server dev`` runs for real, as in tests/test_dev.py. Here: the terminal it runs
in is closed (or the SSH connection lost), a run before it was killed and left its
PostgreSQL, or another one already holds its ports.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from tests.conftest import PROJECT_ROOT
from tests.own_postgres import data_directory, pg_ctl, postmaster
from tests.test_dev import STARTS_WITHIN, STOPS_WITHIN, free_port


class Run:
    """A ``python -m server dev`` writing to a terminal (a pseudo-terminal of ours) or a
    pipe, with everything it has printed and every process it started, to be sure none is
    left."""

    def __init__(self, data_dir: Path, *, port: int, smtp_port: int, terminal: bool) -> None:
        self.pgdata = data_dir / "pg"
        self.port = port
        self.lines: list[str] = []
        self._partial = b""
        self.seen: dict[int, psutil.Process] = {}
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "LOG_LEVEL"}}
        env |= {
            "REACHOUT_ENV": "development",
            "REACHOUT_DATA_DIR": str(data_dir),
            "PORT": str(port),
            "SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
            # The README's phone set-up: the app at this computer's Wi-Fi address.
            "BASE_URL": f"http://192.0.2.10:{port}",
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
        }
        if terminal:
            self.reader, writer = os.openpty()
        else:
            self.reader, writer = os.pipe()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "server", "dev"],
            env=env,
            cwd=PROJECT_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=writer,
            stderr=writer,
            start_new_session=True,  # a process group of its own, as a shell's job
        )
        os.close(writer)
        os.set_blocking(self.reader, False)

    def read(self) -> None:
        """Take in what it has printed since the last look."""
        while self.reader >= 0:
            try:
                chunk = os.read(self.reader, 65536)
            except BlockingIOError:
                return
            except OSError:  # a pseudo-terminal with no one left writing
                chunk = b""
            if not chunk:
                return
            *whole, self._partial = (self._partial + chunk).split(b"\n")
            self.lines += [line.decode(errors="replace").rstrip() for line in whole]

    @property
    def output(self) -> str:
        self.read()
        return "\n".join(self.lines)

    def processes(self) -> dict[int, psutil.Process]:
        """dev's processes but PostgreSQL's (seen here while pg_ctl starts it): that one is
        checked, and stopped, by its data directory."""
        with contextlib.suppress(psutil.Error):
            for child in psutil.Process(self.process.pid).children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    if child.name() not in {"postgres", "pg_ctl"}:
                        self.seen[child.pid] = child
        return self.seen

    async def until(self, check: Callable[[], bool], seconds: float, what: str) -> None:
        started = time.monotonic()
        while not check():
            if self.process.poll() is not None:
                pytest.fail(f"dev exited ({self.process.returncode}) before {what}:\n{self.output}")
            if time.monotonic() - started > seconds:
                pytest.fail(f"not {what} within {seconds:g} s:\n{self.output}")
            await asyncio.sleep(0.2)

    async def started(self) -> None:
        """Up: the web process answers, the worker and the mail sink said so."""

        def up() -> bool:
            self.processes()
            try:
                healthy = httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=2)
            except httpx.TransportError:
                return False
            said = self.output
            return (
                healthy.status_code == 200
                and "worker started" in said
                and "mail sink listening" in said
            )

        await self.until(up, STARTS_WITHIN, "started")
        self.processes()

    async def exit_code(self, seconds: float) -> int | None:
        for _ in range(round(seconds / 0.1)):
            if self.process.poll() is not None:
                break
            await asyncio.sleep(0.1)
        return self.process.poll()

    def hang_up(self) -> None:
        """The terminal closes: reading from it stops, writing to it fails, and the shell
        sends SIGHUP to its job's process group."""
        os.close(self.reader)
        self.reader = -1
        os.killpg(self.process.pid, signal.SIGHUP)

    def close(self) -> None:
        """Leave nothing running, whatever state the test failed in."""
        self.processes()
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
        for child in self.seen.values():
            with contextlib.suppress(psutil.Error):
                child.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(10)
        if self.reader >= 0:
            os.close(self.reader)
            self.reader = -1
        if postmaster(self.pgdata) is not None:
            pg_ctl(self.pgdata, "-w", "stop", "-m", "immediate")


@pytest.fixture
def data_dir() -> Iterator[Path]:
    # Not tmp_path: PostgreSQL, run as its own user, must reach the data (tests/own_postgres.py).
    directory = data_directory("dev")
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def runs(data_dir: Path) -> Iterator[Callable[..., Run]]:
    started: list[Run] = []

    def start(*, port: int | None = None, smtp_port: int | None = None, terminal: bool) -> Run:
        run = Run(
            data_dir,
            port=port or free_port(),
            smtp_port=smtp_port or free_port(),
            terminal=terminal,
        )
        started.append(run)
        return run

    yield start
    for run in reversed(started):
        run.close()


@pytest.fixture(autouse=True)
def clean_tables() -> None:
    """dev brings its own PostgreSQL: the session's shared database is not used here."""


def gone(run: Run) -> list[psutil.Process]:
    """What dev started that still runs, after a few seconds' grace."""
    _, alive = psutil.wait_procs(list(run.seen.values()), timeout=STOPS_WITHIN)
    return alive


async def test_closing_the_terminal_stops_everything(runs: Callable[..., Run]) -> None:
    run = runs(terminal=True)
    await run.started()
    # The mailbox answers only this computer: the line points there, not at BASE_URL.
    assert f"Mail it sends: http://localhost:{run.port}/dev/mail" in run.output
    async with httpx.AsyncClient(timeout=5) as client:
        mailbox = await client.get(f"http://localhost:{run.port}/dev/mail")
    assert mailbox.status_code == 200, mailbox.text
    assert {"web", "worker", "mail-sink"} <= set(map(command, run.seen.values()))

    run.hang_up()
    assert await run.exit_code(STOPS_WITHIN) is not None, "dev still runs"
    assert not gone(run), "left running after the terminal closed"
    assert postmaster(run.pgdata) is None, "left its PostgreSQL running"
    # The next run gets its ports.
    assert not await port_taken(run.port)


async def test_a_run_killed_before_does_not_keep_postgres_running(
    runs: Callable[..., Run],
) -> None:
    killed = runs(terminal=False)
    await killed.started()
    # Killed outright (kill -9): no exit handler ran; PostgreSQL is left, with dev's pid on
    # pgserver's list of the processes using it.
    os.killpg(killed.process.pid, signal.SIGKILL)
    for process in killed.seen.values():
        with contextlib.suppress(psutil.Error):
            process.kill()
    killed.process.wait(10)
    assert postmaster(killed.pgdata) is not None
    handles = json.loads((killed.pgdata / ".handle_pids.json").read_text())
    assert killed.process.pid in handles

    run = runs(terminal=False)
    await run.started()
    os.killpg(run.process.pid, signal.SIGINT)  # Ctrl-C
    assert await run.exit_code(STOPS_WITHIN) == 0, run.output
    assert not gone(run)
    assert postmaster(run.pgdata) is None, "Ctrl-C left PostgreSQL running"


@pytest.mark.parametrize("taken", ["web", "mail"])
async def test_a_second_make_run_says_the_port_is_taken(
    runs: Callable[..., Run], taken: str
) -> None:
    port, smtp_port = free_port(), free_port()
    with socket.create_server(("127.0.0.1", port if taken == "web" else smtp_port)) as first:
        held = first.getsockname()[1]
        run = runs(port=port, smtp_port=smtp_port, terminal=False)
        code = await run.exit_code(STOPS_WITHIN)
    assert code not in (None, 0), run.output
    assert f"port {held} is in use: is another `make run` still running?" in run.output
    # Said before anything else: no "running at" for a run that never runs.
    assert "Reachout is running at" not in run.output
    assert postmaster(run.pgdata) is None


def command(process: psutil.Process) -> str:
    """``web`` for ``python -m server web``, and so on."""
    try:
        return process.cmdline()[-1]
    except (psutil.Error, IndexError):
        return ""


async def port_taken(port: int) -> bool:
    try:
        socket.create_server(("127.0.0.1", port)).close()
    except OSError:
        return True
    return False
