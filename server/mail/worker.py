"""The mail worker: sends the ``emails`` outbox, each message once, with the guarantees of the
push worker (``server/followups/worker.py``): claimed with ``SKIP LOCKED`` and a renewed lease
in its name, temporary failures retried with backoff and jitter, failed after
``MAX_ATTEMPTS`` with the reason kept, and an accepted message never forgotten (recorded
once the database is back, even while stopping).

Requests that queue mail someone waits for (a confirmation, a code) ``NOTIFY mail``; the
worker listens, so such mail leaves within a second, not at the next poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from server.db import away, outbox
from server.db.leases import Leases, worker_name
from server.db.listener import Listener
from server.db.queries import Queries
from server.followups.worker import backoff
from server.mail.messages import Composer, Unsendable, sendable_address
from server.mail.smtp import MailSender

log = logging.getLogger("reachout.mail")

MAX_ATTEMPTS = 10  # with a 5 s start, doubling: about an hour and a half of trying


@dataclass
class MailWorker:
    pool: Any
    sql: Queries
    sender: MailSender
    composer: Composer
    poll_seconds: float = 1.0
    lease_seconds: float = 20.0
    backoff_base: float = 5.0
    max_attempts: int = MAX_ATTEMPTS
    rng: random.Random = field(default_factory=random.Random)
    name: str = field(default_factory=worker_name)
    # Shared by the loops of one process, so an outage is told once.
    outage: away.Outage = field(default_factory=lambda: away.Outage(log))
    _sent: list[int] = field(default_factory=list)
    leases: Leases = field(init=False)

    def __post_init__(self) -> None:
        self.leases = Leases(self.pool, self.sql, "mail", self.lease_seconds, self.name)

    async def run_once(self, stop: asyncio.Event | None = None) -> int:
        """Send what is ready until nothing is; how many messages were handled."""
        await self._record_sent()
        # As many in flight as there are connections: none waits for one with its lease running.
        return await outbox.drain(
            self.leases,
            lambda row, left: self._deliver(row, min(self.sender.timeout, left)),
            self._record_sent,
            concurrency=self.sender.connections,
            batch=self.sender.connections,
            stop=stop,
        )

    async def _deliver(self, row: Any, time_limit: float) -> bool:
        sql, pool = self.sql, self.pool
        why = self.composer.stale(row)
        if why is not None:
            await sql.run(pool, "mail.mark_skipped", id=row["id"])
            return False
        try:
            recipient = sendable_address(row["to_address"])
            message = self.composer.compose(row, datetime.now(UTC))
        except Unsendable as error:
            await sql.run(pool, "mail.mark_failed", id=row["id"], status=None, error=str(error))
            return False
        except Exception as error:
            # A message we fail to write fails alone: the worker goes on with the rest, and
            # does not meet it again at its next start.
            log.exception("email %s could not be composed", row["id"])
            error_text = f"{type(error).__name__}: {error}"[:200]
            await sql.run(pool, "mail.mark_failed", id=row["id"], status=None, error=error_text)
            return False
        result = await self.sender.send(message, recipient, time_limit=time_limit)
        if result.sent:
            self._sent.append(row["id"])
            return True
        if result.bounced:
            log.info("email %s bounced (%s): no more mail to it", row["id"], result.status)
            await sql.run(
                pool, "mail.mark_bounced", id=row["id"], status=result.status, error=result.error
            )
        elif result.retryable:
            delay = backoff(row["attempts"], None, self.rng, self.backoff_base)
            await sql.run(
                pool,
                "mail.mark_retry",
                id=row["id"],
                retry_seconds=delay,
                max_attempts=self.max_attempts,
                status=result.status,
                error=result.error,
            )
        else:
            log.warning("email %s refused with %s: %s", row["id"], result.status, result.error)
            await sql.run(
                pool, "mail.mark_failed", id=row["id"], status=result.status, error=result.error
            )
        return False

    async def _record_sent(self) -> None:
        """Record accepted messages; kept for the next try when the database is away."""
        if not self._sent:
            return
        batch, self._sent = self._sent, []
        try:
            await self.sql.run(self.pool, "mail.mark_sent_many", ids=batch)
        except BaseException:
            self._sent = batch + self._sent
            raise
        self.leases.let_go(*batch)

    @property
    def unrecorded(self) -> int:
        return len(self._sent)

    async def run(self, stop: asyncio.Event, listener: Listener | None = None) -> None:
        """Until ``stop``: woken by ``NOTIFY mail`` (through ``listener``) or every
        ``poll_seconds``, riding out the database going away."""
        finished = asyncio.Event()
        renewing = asyncio.create_task(self.leases.renew_until(finished))
        watching = listener.watch("queued") if listener is not None else contextlib.nullcontext()
        try:
            with watching as woken:
                await away.keep_running(
                    lambda: self.run_once(stop),
                    stop,
                    outage=self.outage,
                    poll_seconds=self.poll_seconds,
                    rng=self.rng,
                    wake=woken,
                )
            await self._record_before_stopping()
        finally:
            finished.set()
            await renewing

    async def _record_before_stopping(self) -> None:
        await away.record_before_stopping(
            self._record_sent, lambda: len(self._sent), log=log, what="emails"
        )
