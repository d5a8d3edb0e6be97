"""The asyncpg pool: how connections are made, reset and shared."""

from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from asyncpg.pool import PoolConnectionProxy

# What a query runs on: a plain connection or one borrowed from the pool.
Connection = asyncpg.Connection | PoolConnectionProxy

# The database is away for now (restarting, failing over, read-only, full, the connection
# cut, a lock not had in time), as opposed to a query that is wrong: a long-lived loop waits
# and tries again on these, and a request is answered 503 "Back in a moment" (errors.py).
DATABASE_AWAY: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncpg.PostgresConnectionError,  # includes a connection cut mid-query
    asyncpg.exceptions.OperatorInterventionError,  # shutting down, starting up
    # Short of disk, memory or connections (class 53): freed in a while, or by an operator.
    asyncpg.exceptions.InsufficientResourcesError,
    # A standby answering after a failover, or a managed database turned read-only when its
    # storage filled up: writes fail with 25006 until the primary is back, or space is.
    asyncpg.exceptions.ReadOnlySQLTransactionError,
    # lock_timeout (or NOWAIT) behind a long migration, a VACUUM FULL, a stuck transaction.
    asyncpg.exceptions.LockNotAvailableError,
    # A deadlock's victim, a serialization failure (40xxx): the same work again succeeds.
    asyncpg.exceptions.TransactionRollbackError,
    # A query issued while the connection consumes the server's "terminating connection"
    # (a restart) fails inside asyncpg's protocol as "cannot switch to state ...":
    # seen in tests/followups/test_worker_soak.py once the listener woke the mail worker
    # at the moment PostgreSQL went down.
    asyncpg.exceptions.InternalClientError,
)


def away_reason(error: BaseException) -> BaseException | None:
    """The error saying the database is away when ``error`` is one, else None: ``error``
    itself, or the one hidden by asyncpg's "the underlying connection is closed" (an
    InterfaceError raised on leaving a transaction whose connection was cut mid-way, over
    the error that cut it). Any other InterfaceError is a bug."""
    if isinstance(error, DATABASE_AWAY):
        return error
    if isinstance(error, asyncpg.InterfaceError) and isinstance(error.__context__, DATABASE_AWAY):
        return error.__context__
    return None


@asynccontextmanager
async def transaction(conn: asyncpg.Pool | Connection) -> AsyncIterator[Connection]:
    """A transaction on ``conn`` (a savepoint when one is open), or on a connection borrowed
    from it when it is the pool."""
    if isinstance(conn, asyncpg.Pool):
        async with conn.acquire() as borrowed, borrowed.transaction():
            yield borrowed
    else:
        async with conn.transaction():
            yield conn


# asyncpg's own default: statements prepared and kept per connection.
STATEMENT_CACHE_SIZE = 100


async def _reset(conn: asyncpg.Connection) -> None:
    # The app keeps no session state (no SET, LISTEN, cursors or advisory locks held
    # past a call), so asyncpg's default RESET ALL round trip on every release is
    # waste; only a transaction left open by a cancelled request needs undoing.
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")


# How often a pool whose connections were made read-only makes them again, to find out
# whether the database is writable once more.
READ_ONLY_RECHECK = 10.0


def read_only_session(conn: asyncpg.Connection) -> bool:
    """Whether PostgreSQL said (14 and later say so as a session starts, and when it
    changes) that this session writes nothing: a standby, or a database set read-only."""
    said = conn.get_settings()
    return any(
        getattr(said, name, "off") == "on"
        for name in ("in_hot_standby", "default_transaction_read_only")
    )


async def create_pool(
    dsn: str,
    *,
    max_size: int = 10,
    application_name: str = "reachout",
    statement_cache: bool = True,
) -> asyncpg.Pool:
    """Connections made on demand and kept while in use: no floor of idle ones, because
    asyncpg restores a floor in the background and, while the database is away, logs a
    traceback for every try; the callers say once that it is away and back instead.

    ``statement_cache=False`` for a transaction pooler (PgBouncer) that does not follow
    prepared statements: it may run each statement outside a transaction on another server
    connection, where one that asyncpg prepared and kept on the last does not exist
    ("prepared statement __asyncpg_stmt_1__ does not exist"). Then asyncpg sends its Parse
    with every Bind, at the price of parsing every query twice (a Describe, then the run).
    PgBouncer 1.21's ``max_prepared_statements`` would keep them; Debian bookworm has 1.18."""
    pool: asyncpg.Pool | None = None
    expired_at = -math.inf

    async def reset(conn: asyncpg.Connection) -> None:
        nonlocal expired_at
        await _reset(conn)
        # Made while the database was read-only (a failover's standby, storage full), a
        # session stays so for life, which a busy pool's never ends: its writes would fail
        # long after the primary is back. Replaced at its next use by one made then; at most
        # every READ_ONLY_RECHECK seconds, or every query meanwhile would open a connection.
        now = time.monotonic()
        if pool is not None and now - expired_at >= READ_ONLY_RECHECK and read_only_session(conn):
            expired_at = now
            await pool.expire_connections()

    pool = await asyncpg.create_pool(
        dsn,
        min_size=0,
        max_size=max_size,
        command_timeout=30,
        max_inactive_connection_lifetime=300,
        reset=reset,
        # Names the process in pg_stat_activity (and lets a test cut just its connections).
        server_settings={"application_name": application_name},
        statement_cache_size=STATEMENT_CACHE_SIZE if statement_cache else 0,
    )
    assert pool is not None
    return pool
