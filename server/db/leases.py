"""A worker's leases on outbox rows (push deliveries, emails): taken in its name, renewed while
it lives, handed back when it stops.

Each outbox has ``claim`` (``:limit``, ``:lease_seconds``, ``:worker``), ``renew`` (``:ids``,
returning those still held) and ``release`` queries under its own prefix. A killed worker
stops renewing, and its rows go to another worker when the lease runs out. A send starts only
while its lease has ``START_WITH_AT_LEAST`` of its length left, and must end ``SEND_MARGIN``
before it runs out (``time_left``), so no row is ever being sent by two workers at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from dataclasses import dataclass, field
from typing import Any

from server.db.pool import DATABASE_AWAY
from server.db.queries import Queries

log = logging.getLogger(__name__)

RENEW_EVERY = 0.25  # of a lease
START_WITH_AT_LEAST = 0.5  # of a lease
SEND_MARGIN = 0.1  # of a lease: a send ends this long before its lease would


def worker_name() -> str:
    """Names a worker in ``leased_by``: the host and process, and a random part so that a
    restarted process with a reused pid is someone else."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass
class Leases:
    pool: Any
    sql: Queries
    outbox: str  # the queries' prefix: "deliveries", "mail"
    seconds: float
    name: str = field(default_factory=worker_name)
    # The rows held, each with when (on this clock) its lease ends at the soonest: measured
    # from before the statement that set it, so never later than the database's lease_until.
    held: dict[int, float] = field(default_factory=dict)

    async def claim(self, limit: int, **params: Any) -> list[Any]:
        since = time.monotonic()
        rows: list[Any] = await self.sql.run(
            self.pool,
            f"{self.outbox}.claim",
            limit=limit,
            lease_seconds=self.seconds,
            worker=self.name,
            **params,
        )
        for row in rows:
            self.held[row["id"]] = since + self.seconds
        return rows

    def time_left(self, row_id: int) -> float | None:
        """How long a send of this row may take, or None when it must not start."""
        left = self.held.get(row_id, 0.0) - time.monotonic()
        if left < START_WITH_AT_LEAST * self.seconds:
            return None
        return left - SEND_MARGIN * self.seconds

    def let_go(self, *row_ids: int) -> None:
        """Finished (recorded), or left for the lease to run out: no longer renewed."""
        for row_id in row_ids:
            self.held.pop(row_id, None)

    async def release(self, row_ids: list[int]) -> None:
        """Hand back rows claimed but not started: ready for any worker at once."""
        self.let_go(*row_ids)
        if row_ids:
            await self.sql.run(self.pool, f"{self.outbox}.release", ids=row_ids, worker=self.name)

    async def renew(self) -> None:
        """Hold what is held for another lease; let go of what another worker took over
        (after this one's lease ran out), so this one never sends it."""
        ids = list(self.held)
        if not ids:
            return
        since = time.monotonic()
        renewed = await self.sql.run(
            self.pool, f"{self.outbox}.renew", ids=ids, lease_seconds=self.seconds, worker=self.name
        )
        kept = {row["id"] for row in renewed}
        for row_id in ids:
            if row_id not in self.held:
                continue  # finished meanwhile
            if row_id in kept:
                self.held[row_id] = max(self.held[row_id], since + self.seconds)
            else:
                del self.held[row_id]

    async def renew_until(self, finished: asyncio.Event) -> None:
        """Renew every quarter lease until ``finished``; quietly through the database being
        away (the worker's loop says so), while sends stop starting before leases run out.
        Any other error is logged and renewing goes on: ended, this task would let every
        lease run out unseen (sends no longer starting, rows going to another worker)."""
        while not finished.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(finished.wait(), RENEW_EVERY * self.seconds)
            try:
                await self.renew()
            except DATABASE_AWAY:
                pass
            except Exception:
                log.exception(
                    "renewing %d %s leases failed; trying again", len(self.held), self.outbox
                )
