"""Entry points matching the Procfiles: ``python -m server web|worker|migrate|mail-sink|dev``;
``migrate --logic`` puts this release's SQL functions back over a newer release's (a rollback)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import os
import pty
import signal
import socket
import subprocess
import sys
import threading
import tty
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from server.config import PROJECT_ROOT, Settings, SettingsError, load_settings


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as error:
        sys.exit(f"reachout: cannot start: {error}")


def _database_url(settings: Settings) -> str:
    """DATABASE_URL, or in development the embedded PostgreSQL under ./.data/."""
    if settings.database_url:
        return settings.database_url
    from server.db import embedded_pg

    _, url = embedded_pg.start(settings.data_dir)
    os.environ["DATABASE_URL"] = url
    return url


def _direct_url(settings: Settings) -> str:
    """Where migrations run, under their session's advisory lock: DATABASE_DIRECT_URL,
    PostgreSQL itself when DATABASE_URL is a transaction pooler; else DATABASE_URL's."""
    url = _database_url(settings)
    return settings.database_direct_url or url


async def _apply(url: str, wait_seconds: float, *, force_logic: bool) -> list[str]:
    """Apply migrations, waiting (and saying so, once) while the database is away, up to a
    bound: unreachable, or refusing what must be written (read-only, a standby after a
    failover, until the primary is back)."""
    import asyncpg

    from server.db import away
    from server.db.migrations import apply_migrations

    def say(line: str) -> None:
        print(f"reachout: {line}", file=sys.stderr, flush=True)

    async def connect_and_apply() -> list[str]:
        conn = await asyncpg.connect(url, timeout=10)
        try:
            return await apply_migrations(conn, force_logic=force_logic)
        finally:
            await conn.close()

    try:
        return await away.wait_for_database(connect_and_apply, seconds=wait_seconds, say=say)
    except away.DatabaseNeverCame as error:
        sys.exit(f"reachout: cannot start: {error}")


def _migrate(url: str, wait_seconds: float, *, force_logic: bool = False) -> list[str]:
    """Wait for the database, then apply migrations; an edited migration stops the process
    with one line, not a traceback."""
    from server.db.migrations import MigrationChanged

    try:
        return asyncio.run(_apply(url, wait_seconds, force_logic=force_logic))
    except MigrationChanged as error:
        sys.exit(f"reachout: cannot start: {error}")


def uvicorn_options(*, production: bool, port: int, workers: int) -> dict[str, Any]:
    """How the web process runs uvicorn (bench/_floor.py runs its floor app the same way)."""
    host = os.environ.get("HOST") or ("0.0.0.0" if production else "127.0.0.1")  # noqa: S104
    return {
        "factory": True,
        "host": host,
        "port": port,
        "workers": workers,
        "proxy_headers": True,
        "forwarded_allow_ips": os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        "access_log": False,
        "log_level": os.environ.get("LOG_LEVEL", "info"),
    }


def web(settings: Settings) -> None:
    import uvicorn

    # Here rather than only in the app's start-up, so that a refusal (an edited
    # migration) is one line before uvicorn starts, not a traceback per worker.
    _migrate(_direct_url(settings), settings.database_wait_seconds)
    uvicorn.run(
        "server.app:create_app",
        **uvicorn_options(
            production=settings.production,
            port=settings.port,
            workers=settings.web_concurrency,
        ),
    )


def worker(settings: Settings) -> None:
    import logging

    from server import worker_process

    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO").upper(), format="%(message)s")
    _migrate(_direct_url(settings), settings.database_wait_seconds)
    settings = load_settings()  # now with the DATABASE_URL just resolved
    try:
        import uvloop

        uvloop.run(worker_process.main(settings))
    except ImportError:  # pragma: no cover - uvloop is a dependency; this is for other OSes
        asyncio.run(worker_process.main(settings))


def migrate(settings: Settings, *, force_logic: bool = False) -> None:
    applied = _migrate(
        _direct_url(settings), settings.database_wait_seconds, force_logic=force_logic
    )
    print(f"applied {len(applied)} migration(s): {', '.join(applied) or 'none needed'}")
    if force_logic:
        print("applied sql/logic.sql: this release's SQL functions")


def _loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def _until_signalled() -> None:
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    await stopping.wait()


async def _serve_mail(host: str, port: int, directory: Path) -> None:
    from server.local_services.mail_sink import LocalMailSink, shown_path

    sink = LocalMailSink(directory, host=host, port=port, announce=True)
    try:
        await sink.start()
    except OSError as error:
        sys.exit(f"reachout: the mail sink cannot listen on {host}:{port}: {error.strerror}")
    try:
        print(
            f"mail sink listening on {sink.url}, keeping mail in {shown_path(directory)}/",
            flush=True,
        )
        await _until_signalled()
    finally:
        await sink.stop()


def mail_sink(settings: Settings) -> None:
    """`make run`'s mail: process, a local SMTP server keeping what the app sends under
    ./.data/mail/ (listed at /dev/mail). Never in production: it would swallow real mail."""
    if settings.production:
        sys.exit(
            "reachout: the mail sink never runs in production (REACHOUT_ENV=production);"
            " SMTP_URL must point at a real mail server"
        )
    from server.devmail import mailbox

    smtp = urlsplit(settings.smtp_url)
    host = smtp.hostname or ""
    if smtp.scheme != "smtp" or not _loopback(host):
        # Say why once and stay up doing nothing: honcho stops every process when one ends.
        print(
            f"mail sink not started: SMTP_URL points at {smtp.scheme}://{host}, not a plain"
            " smtp:// port on this machine",
            flush=True,
        )
        asyncio.run(_until_signalled())
        return
    asyncio.run(_serve_mail(host, smtp.port or 25, mailbox.directory(settings)))


def _listens_nowhere_else(host: str, port: int) -> None:
    """Stop here, before the "running at" lines, when ``host:port`` is taken: most often by
    a `make run` still running (in another terminal, or left by one that was closed)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        # As uvicorn and the mail sink bind (SO_REUSEADDR): a port in TIME_WAIT is free.
        socket.create_server((host, port), family=family).close()
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            sys.exit(
                f"reachout: cannot start: port {port} is in use:"
                " is another `make run` still running?"
            )
        sys.exit(f"reachout: cannot start: cannot listen on {host}:{port}: {error.strerror}")


def _relay(source: int) -> None:
    """Copy honcho's output to ours until it ends. Once our terminal is gone (closed, or SSH
    lost), keep reading and drop it: honcho, writing there itself, would fail on its first
    line ("SIGTERM received") and leave everything it started running."""
    out: int | None = sys.stdout.fileno()
    while True:
        try:
            chunk = os.read(source, 65536)
        except OSError:  # a pty's reader gets EIO, not end of file, once no one writes
            chunk = b""
        if not chunk:
            break
        while out is not None and chunk:
            try:
                chunk = chunk[os.write(out, chunk) :]
            except OSError:
                out = None
    os.close(source)


def dev(settings: Settings) -> None:
    """`make run`: embedded PostgreSQL, migrations, then every Procfile.dev process (the
    Procfile's, and the mail sink)."""
    smtp = urlsplit(settings.smtp_url)
    ports = [
        (
            uvicorn_options(production=settings.production, port=settings.port, workers=1)["host"],
            settings.port,
        )
    ]
    if smtp.scheme == "smtp" and _loopback(smtp.hostname or ""):
        ports.append((smtp.hostname or "", smtp.port or 25))
    for host, port in ports:
        _listens_nowhere_else(host, port)
    url = _database_url(settings)
    _migrate(_direct_url(settings), settings.database_wait_seconds)
    # Procfile lines say `python`: make that this interpreter (the venv's), not the system's.
    path = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
    env = {**os.environ, "DATABASE_URL": url, "PORT": str(settings.port), "PATH": path}
    env.setdefault("BASE_URL", settings.base_url)
    # The web and worker processes send to the mail sink that Procfile.dev starts.
    env.setdefault("SMTP_URL", settings.smtp_url)
    # localhost, whatever BASE_URL says: the mailbox answers only this computer (devmail).
    mail = (
        f"  Mail it sends: http://localhost:{settings.port}/dev/mail\n"
        if settings.env == "development"
        else ""
    )
    print(
        f"\n  Reachout is running at {settings.base_url}/\n{mail}  (Ctrl-C stops it)\n",
        flush=True,
    )
    # honcho's output comes through us (_relay): on a pseudo-terminal of our own when ours is
    # a terminal, so that honcho still colours it.
    if sys.stdout.isatty():
        reader, writer = pty.openpty()
        tty.setraw(writer)  # no "\r\n" for "\n": the bytes go on as honcho wrote them
    else:
        reader, writer = os.pipe()
    processes = subprocess.Popen(  # noqa: S603 - fixed argv, no user input
        [sys.executable, "-m", "honcho", "start", "-f", str(PROJECT_ROOT / "Procfile.dev")],
        env=env,
        cwd=PROJECT_ROOT,
        stdin=subprocess.DEVNULL,
        stdout=writer,
        stderr=subprocess.STDOUT,
        # A session of its own: the terminal's signals (Ctrl-C, the hang-up of a closed
        # terminal or a lost SSH connection) reach only us, and we pass SIGTERM on. honcho
        # has no SIGHUP handler: hung up with us, it would die and leave its processes.
        start_new_session=True,
    )
    os.close(writer)
    relay = threading.Thread(target=_relay, args=(reader,), daemon=True)
    relay.start()
    stopping = False

    def stop(signum: int, frame: object) -> None:
        # Let honcho stop its processes, then return normally so that pgserver's
        # exit handler stops the embedded PostgreSQL (a bare SIGTERM would skip it).
        nonlocal stopping
        stopping = True
        processes.send_signal(signal.SIGTERM)

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, stop)
    while True:
        with contextlib.suppress(KeyboardInterrupt):
            code = processes.wait()
            break
    relay.join(timeout=5)
    # Stopped as asked: done. Else a process ended by itself (honcho then stops the
    # others): fail with its exit code, for a script or CI running `make run`.
    if not stopping and code != 0:
        sys.exit(code if code > 0 else 128 - code)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m server")
    commands = {
        "web": web,
        "worker": worker,
        "migrate": migrate,
        "mail-sink": mail_sink,
        "dev": dev,
    }
    parser.add_argument("command", choices=list(commands))
    parser.add_argument(
        "--logic",
        action="store_true",
        help="with migrate: apply sql/logic.sql even when a newer release has migrated the"
        " database (rolling back; otherwise its SQL functions are left as they are)",
    )
    args = parser.parse_args()
    if args.logic and args.command != "migrate":
        parser.error("--logic goes with migrate only")
    if args.command == "migrate":
        migrate(_settings(), force_logic=args.logic)
    else:
        commands[args.command](_settings())


if __name__ == "__main__":
    main()
