"""The embedded PostgreSQL (``pgserver``) used when ``DATABASE_URL`` is not set."""

from __future__ import annotations

import atexit
import contextlib
from pathlib import Path
from typing import Any

import psutil


def start(data_dir: Path) -> tuple[Any, str]:
    """Start (or join) the server whose data lives in ``data_dir/pg``; stopped at exit."""
    from pgserver.postgres_server import get_server  # only development and tests load it

    pgdata = data_dir / "pg"
    pgdata.mkdir(parents=True, exist_ok=True)
    _forget_the_dead(pgdata)
    server = get_server(pgdata, cleanup_mode="stop")
    # After get_server, which registers pgserver's own exit handler: so this runs first.
    atexit.register(_follow_restarts, server)
    return server, server.get_uri()


def _forget_the_dead(pgdata: Path) -> None:
    """Drop from pgserver's list of the processes using this server the ones that are gone.

    pgserver stops the server when the last process on its list (``.handle_pids.json``)
    exits, each taking itself off as it exits. One killed (``make run`` whose terminal was
    closed, or killed with SIGKILL) would stay on the list for good: the server would never
    be stopped again, every later run leaving it running at its exit.
    """
    from pgserver.postgres_server import PostgresServer
    from pgserver.utils import DiskList

    handles = DiskList(pgdata.resolve() / ".handle_pids.json")  # as get_server() names it
    # pgserver's own lock on that list, across processes.
    with PostgresServer._lock, contextlib.suppress(OSError, ValueError):
        pids = handles.get()
        alive = [pid for pid in pids if _alive(pid)]
        if alive != pids:
            handles.put(alive)


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _follow_restarts(server: Any) -> None:
    """Hand pgserver's exit handler the postmaster running now, not the one it started.

    pgserver stops the postmaster process it started (or found) at start. After a
    ``pg_ctl restart``, or a stop and a start, that process is gone: pgserver would take
    the server for stopped already and leave the new postmaster running after ``make run``
    has exited.
    """
    from pgserver.utils import PostmasterInfo

    # A postmaster.pid half written (a server starting this moment) does not parse.
    with contextlib.suppress(OSError, ValueError, AssertionError):
        running = PostmasterInfo.read_from_pgdata(server.pgdata)
        if running is not None and running.is_running():
            server._postmaster_info = running
