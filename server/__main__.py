"""Entry points matching the Procfile: ``python -m server web|worker|migrate|dev``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from typing import Any

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


async def _connect(url: str, wait_seconds: float) -> Any:
    """A connection, waiting (and saying so, once) while the database is away, up to a bound."""
    import random
    import time

    import asyncpg

    from server.db.pool import DATABASE_AWAY

    deadline = time.monotonic() + wait_seconds
    pause = 0.25
    said = False
    while True:
        try:
            return await asyncpg.connect(url, timeout=10)
        except DATABASE_AWAY as error:
            if time.monotonic() + pause > deadline:
                sys.exit(
                    f"reachout: cannot start: the database did not answer within"
                    f" {wait_seconds:g} s ({type(error).__name__}: {error})"
                )
            if not said:
                print(f"reachout: waiting for the database ({error})", file=sys.stderr, flush=True)
                said = True
            await asyncio.sleep(pause * random.uniform(0.5, 1.0))
            pause = min(pause * 2, 5.0)


async def _apply(url: str, wait_seconds: float) -> list[str]:
    from server.db.migrations import apply_migrations

    conn = await _connect(url, wait_seconds)
    try:
        return await apply_migrations(conn)
    finally:
        await conn.close()


def _migrate(url: str, wait_seconds: float) -> list[str]:
    """Wait for the database, then apply migrations; an edited migration stops the process
    with one line, not a traceback."""
    from server.db.migrations import MigrationChanged

    try:
        return asyncio.run(_apply(url, wait_seconds))
    except MigrationChanged as error:
        sys.exit(f"reachout: cannot start: {error}")


def web(settings: Settings) -> None:
    import uvicorn

    # Here rather than only in the app's start-up, so that a refusal (an edited
    # migration) is one line before uvicorn starts, not a traceback per worker.
    _migrate(_database_url(settings), settings.database_wait_seconds)
    host = os.environ.get("HOST") or ("0.0.0.0" if settings.production else "127.0.0.1")  # noqa: S104
    uvicorn.run(
        "server.app:create_app",
        factory=True,
        host=host,
        port=settings.port,
        workers=settings.web_concurrency,
        proxy_headers=True,
        forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        access_log=False,
        log_level=os.environ.get("LOG_LEVEL", "info"),
    )


def worker(settings: Settings) -> None:
    import logging

    from server import worker_process

    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO").upper(), format="%(message)s")
    url = _database_url(settings)
    _migrate(url, settings.database_wait_seconds)
    settings = load_settings()  # now with the DATABASE_URL just resolved
    try:
        import uvloop

        uvloop.run(worker_process.main(settings))
    except ImportError:  # pragma: no cover - uvloop is a dependency; this is for other OSes
        asyncio.run(worker_process.main(settings))


def migrate(settings: Settings) -> None:
    applied = _migrate(_database_url(settings), settings.database_wait_seconds)
    print(f"applied {len(applied)} migration(s): {', '.join(applied) or 'none needed'}")


def dev(settings: Settings) -> None:
    """`make run`: embedded PostgreSQL, migrations, then every Procfile process."""
    url = _database_url(settings)
    _migrate(url, settings.database_wait_seconds)
    # Procfile lines say `python`: make that this interpreter (the venv's), not the system's.
    path = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
    env = {**os.environ, "DATABASE_URL": url, "PORT": str(settings.port), "PATH": path}
    env.setdefault("BASE_URL", settings.base_url)
    print(f"\n  Reachout is running at {settings.base_url}/\n  (Ctrl-C stops it)\n", flush=True)
    processes = subprocess.Popen(  # noqa: S603 - fixed argv, no user input
        [sys.executable, "-m", "honcho", "start", "-f", str(PROJECT_ROOT / "Procfile")],
        env=env,
        cwd=PROJECT_ROOT,
    )

    def stop(signum: int, frame: object) -> None:
        # Let honcho stop its processes, then return normally so that pgserver's
        # exit handler stops the embedded PostgreSQL (a bare SIGTERM would skip it).
        processes.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while True:
        with contextlib.suppress(KeyboardInterrupt):
            processes.wait()
            break


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m server")
    parser.add_argument("command", choices=["web", "worker", "migrate", "dev"])
    command = parser.parse_args().command
    settings = _settings()
    {"web": web, "worker": worker, "migrate": migrate, "dev": dev}[command](settings)


if __name__ == "__main__":
    main()
