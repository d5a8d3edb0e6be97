"""A PostgreSQL server of a test's own, that the test stops, starts and restarts for real.

The session's shared server (``admin_url`` in tests/conftest.py) has to stay up for every
other test, and tests/db_proxy.py only cuts the network in front of it. A test about the
database itself going away and coming back (``pg_ctl stop -m fast``, ``pg_ctl restart``,
as an operator, an upgrade or a crash would do it) takes one of these instead::

    async with own_postgres() as pg:
        ...                   # pg.url: for the app, or for a subprocess's DATABASE_URL
        await pg.restart()    # a real `pg_ctl restart -m fast`: same pg.url after
        await pg.stop()       # `pg_ctl stop -m fast`: connections cut, new ones refused
        await pg.start()

It is the same embedded PostgreSQL as ``admin_url`` (pgserver, through
``server.db.embedded_pg``), so it needs nothing installed, and it is stopped and its
data deleted at the end. Like ``admin_url``'s, its data is not under pytest's
``tmp_path``: run as root, PostgreSQL runs as a user of its own, which must be able to
reach the data directory, and every pytest session that starts (a concurrent one
included) makes /tmp/pytest-of-root private to root again; a concurrent session also
prunes old base directories, whatever runs in them.

``Postgres(pgdata)`` alone drives a server that another process started and owns
(``make run``'s, in tests/test_dev.py) without taking it over: it reads
``postmaster.pid`` and runs ``pg_ctl`` as the data directory's owner. A second pgserver
handle (``get_server``) would instead register the test process as one of the server's
owners, and whichever owner exits last stops the server.

``pg_ctl`` blocks, so ``stop``, ``start`` and ``restart`` run it in a thread: the test's
event loop, and whatever the test serves from it, keeps running meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import psutil

if TYPE_CHECKING:
    from pgserver.postgres_server import PostgresServer

# Seconds pg_ctl waits for the server to start or stop before it gives up.
PG_CTL_WAIT_SECONDS = 30


class PgCtlError(Exception):
    """pg_ctl failed; the message carries what it printed."""


@dataclass(frozen=True)
class Postmaster:
    """The running server, as its ``postmaster.pid`` describes it."""

    pid: int
    socket_dir: Path
    status: str  # "starting", "ready", "stopping"; "" while the file is still being written


def postmaster(pgdata: Path) -> Postmaster | None:
    """The server running on ``pgdata``; None when none is (no pid file, or a stale one)."""
    try:
        lines = (pgdata / "postmaster.pid").read_text().splitlines()
    except FileNotFoundError:
        return None
    if not lines or not lines[0].strip().isdigit():
        return None  # being written this very moment
    pid = int(lines[0])
    if not _alive(pid):
        return None  # left behind by a server that was killed
    socket_dir = Path(lines[4].strip()) if len(lines) > 4 and lines[4].strip() else pgdata
    status = lines[7].strip() if len(lines) > 7 else ""
    return Postmaster(pid, socket_dir, status)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, and someone else's
        pass
    return True


def pg_ctl(pgdata: Path, *args: str) -> str:
    """Run pg_ctl on ``pgdata`` as the user the server runs as; what it printed."""
    from pgserver._commands import POSTGRES_BIN_PATH

    # A file, not a pipe: a postgres that `start` or `restart` launches could inherit the
    # pipe and hold it open for as long as it runs, and reading it would never end.
    with tempfile.TemporaryFile("w+") as output:
        completed = subprocess.run(
            [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(pgdata), *args],
            stdout=output,
            stderr=subprocess.STDOUT,
            user=_server_user(pgdata),
            cwd="/",  # the server's user may not be allowed into ours
            timeout=PG_CTL_WAIT_SECONDS + 30,
            check=False,
        )
        output.seek(0)
        printed = output.read()
    if completed.returncode != 0:
        raise PgCtlError(f"pg_ctl {' '.join(args)} exited with {completed.returncode}: {printed}")
    return printed


def _server_user(pgdata: Path) -> int | None:
    # PostgreSQL refuses to run as root, so as root pgserver runs it as a user of its own
    # (and chowns the data directory to that user); pg_ctl must run as that user too.
    if os.geteuid() != 0:
        return None
    owner = pgdata.stat().st_uid
    return None if owner == 0 else owner


class Postgres:
    """``pg_ctl`` for the server whose data is in ``pgdata``, which is running now."""

    def __init__(self, pgdata: Path) -> None:
        running = postmaster(pgdata)
        if running is None:
            raise ValueError(f"no PostgreSQL is running on {pgdata}")
        self.pgdata = pgdata
        # Kept, so that a start after a stop listens where it did: the same url.
        self.socket_dir = running.socket_dir
        # What pgserver hands out (and `make run` puts in DATABASE_URL): the Unix socket only.
        self.url = f"postgresql://postgres:@/postgres?host={self.socket_dir}"

    @property
    def pid(self) -> int | None:
        """The postmaster's process id; None while the server is stopped."""
        running = postmaster(self.pgdata)
        return None if running is None else running.pid

    async def stop(self) -> None:
        """A fast shutdown: open connections are cut, new ones refused until ``start``."""
        await asyncio.to_thread(self._pg_ctl, "stop", "-m", "fast")

    async def start(self) -> None:
        """Start the server again, as pgserver started it; returns once it takes connections."""
        await asyncio.to_thread(self._pg_ctl, "start", *self._options())

    async def restart(self) -> None:
        """``pg_ctl restart -m fast``: a new postmaster, every connection cut, the same url."""
        await asyncio.to_thread(self._pg_ctl, "restart", "-m", "fast", *self._options())

    def _options(self) -> list[str]:
        # As pgserver starts it: no TCP at all, the socket in the same directory, the log
        # in the data directory (pg_ctl restart would otherwise reuse postmaster.opts but
        # send the server's output to pg_ctl's).
        return [
            "-l",
            str(self.pgdata / "log"),
            "-o",
            '-h ""',
            "-o",
            f"-k {shlex.quote(str(self.socket_dir))}",
        ]

    def _pg_ctl(self, *args: str) -> str:
        return pg_ctl(self.pgdata, "-w", "-t", str(PG_CTL_WAIT_SECONDS), *args)


def data_directory(purpose: str) -> Path:
    """A new directory for a PostgreSQL's data, outside pytest's (see the module doc)."""
    return Path(tempfile.mkdtemp(prefix=f"reachout-{purpose}-"))


@asynccontextmanager
async def own_postgres() -> AsyncIterator[Postgres]:
    """A new PostgreSQL server of the test's own; stopped and its data deleted after."""
    from server.db import embedded_pg

    directory = data_directory("own-pg")
    try:
        # initdb and the first start block for a second or two: a thread, as for pg_ctl.
        server, url = await asyncio.to_thread(embedded_pg.start, directory)
        pg = Postgres(directory / "pg")
        try:
            assert pg.url == url, (pg.url, url)
            yield pg
        finally:
            await asyncio.to_thread(_let_go, server, pg)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _let_go(server: PostgresServer, pg: Postgres) -> None:
    # Stopped here rather than by pgserver's cleanup: pgserver stops the postmaster it
    # started, by its process, and after a restart that one is long gone.
    if pg.pid is not None:
        pg_ctl(pg.pgdata, "-w", "-t", str(PG_CTL_WAIT_SECONDS), "stop", "-m", "immediate")
    # Lets go of pgserver's handle (and stops nothing now). It asks whether its postmaster
    # still runs, then signals it: one that exits in between (stopped just above) raised
    # NoSuchProcess once in a CI run, after the test itself had passed.
    with contextlib.suppress(psutil.NoSuchProcess):
        server.cleanup()
