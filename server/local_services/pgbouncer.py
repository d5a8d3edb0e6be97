"""PgBouncer in transaction pooling mode in front of a database, started by the test or the
benchmark that needs it (Debian's ``pgbouncer``, which ``make test`` installs)::

    async with pgbouncer(direct_url, directory) as bouncer:
        bouncer.url   # the same database by way of PgBouncer: DATABASE_URL, as in production

As behind a production PgBouncer, each transaction of a client may run on another server
connection: what a session holds (LISTEN, an advisory lock, a prepared statement) does not
follow the client from one transaction to the next. Clients are trusted (it listens on
127.0.0.1 only); PgBouncer logs in to PostgreSQL as the direct URL does.
"""

from __future__ import annotations

import asyncio
import os
import pwd
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

PGBOUNCER = Path("/usr/sbin/pgbouncer")
# Fewer server connections than the processes' pools hold clients: they take turns per
# transaction, as they would in production.
POOL_SIZE = 8
STARTUP_SECONDS = 10


class PgBouncerError(RuntimeError):
    """PgBouncer is missing, or did not start."""


@dataclass(frozen=True)
class PgBouncer:
    url: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def _config(direct_url: str, directory: Path, port: int, pool_size: int) -> str:
    parts = urlsplit(direct_url)
    socket_dir = parse_qs(parts.query).get("host", [None])[0]
    if socket_dir:  # the embedded PostgreSQL listens on a Unix socket only
        socket = sorted(Path(socket_dir).glob(".s.PGSQL.*[0-9]"))[0]
        host, server_port = socket_dir, int(socket.name.rsplit(".", 1)[1])
    else:
        host, server_port = parts.hostname or "127.0.0.1", parts.port or 5432
    user = unquote(parts.username or "postgres")
    database = parts.path.lstrip("/")
    login = f"host={host} port={server_port} dbname={database} user={user}"
    if parts.password:
        login += f" password={unquote(parts.password)}"
    (directory / "userlist.txt").write_text(f'"{user}" ""\n')
    return f"""\
[databases]
{database} = {login}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {directory / "userlist.txt"}
pool_mode = transaction
default_pool_size = {pool_size}
max_client_conn = 500
"""


def _run_as(direct_url: str) -> list[str]:
    # PgBouncer will not run as root: then it runs as the user that owns the embedded
    # PostgreSQL's socket directory (which only that user may enter), or as nobody.
    if os.geteuid() != 0:
        return []
    socket_dir = parse_qs(urlsplit(direct_url).query).get("host", [None])[0]
    uid = Path(socket_dir).stat().st_uid if socket_dir else pwd.getpwnam("nobody").pw_uid
    return ["-u", pwd.getpwuid(uid).pw_name]


@asynccontextmanager
async def pgbouncer(
    direct_url: str, directory: Path, *, pool_size: int = POOL_SIZE
) -> AsyncIterator[PgBouncer]:
    """PgBouncer in front of ``direct_url``'s database until the block ends, with
    ``pool_size`` server connections."""
    if not PGBOUNCER.exists():  # noqa: ASYNC240 - one stat
        raise PgBouncerError(
            f"{PGBOUNCER} is missing: `make test` installs it (apt-get install pgbouncer)"
        )
    directory.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - one directory
    port = _free_port()
    config = directory / "pgbouncer.ini"
    config.write_text(_config(direct_url, directory, port, pool_size))
    parts = urlsplit(direct_url)
    user = parts.username or "postgres"
    bouncer = PgBouncer(f"postgresql://{user}@127.0.0.1:{port}{parts.path}", directory / "log")
    with bouncer.log.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            str(PGBOUNCER), *_run_as(direct_url), str(config), stdout=log, stderr=log
        )
    try:
        await _until_listening(process, port, bouncer)
        yield bouncer
    finally:
        if process.returncode is None:
            process.terminate()
        await process.wait()


async def _until_listening(
    process: asyncio.subprocess.Process, port: int, bouncer: PgBouncer
) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.returncode is not None:
            raise PgBouncerError(f"pgbouncer exited with {process.returncode}:\n{bouncer.output()}")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)
            continue
        writer.close()
        await writer.wait_closed()
        return
    raise PgBouncerError(
        f"pgbouncer did not listen within {STARTUP_SECONDS} s:\n{bouncer.output()}"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
