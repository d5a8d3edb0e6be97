"""The mail worker: sends the ``emails`` outbox, each message once, with the guarantees of the
push worker (``server/followups/worker.py``): claimed with ``SKIP LOCKED`` and a renewed lease
in its name, temporary failures retried with backoff and jitter, failed after
``MAX_ATTEMPTS`` with the reason kept, and an accepted message never forgotten (recorded
once the database is back, even while stopping). Our mail server refusing us (a login it
turns down, relaying denied) is retried as when it is away, and said once, loudly. A message
whose end the mail server does not answer is waited for while its lease is renewed (as long
as RFC 5321 allows), and if still unanswered is counted as sent: the server has it, most
likely, and sending it again would deliver it twice.

Requests that queue mail someone waits for (a confirmation, a code) ``NOTIFY mail``; the
worker listens, so such mail leaves within a second, not at the next poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from server.db import away, outbox
from server.db.leases import SEND_MARGIN, Leases, worker_name
from server.db.listener import Listener
from server.db.queries import Queries
from server.followups.worker import backoff
from server.mail.messages import Composer, Unsendable, sendable_address
from server.mail.smtp import MailResult, MailSender

log = logging.getLogger("reachout.mail")

# Tries before an email fails. The waits between them start at 5 s and double up to
# BACKOFF_CAP (an hour), each drawn between half its ceiling and the ceiling: with every
# draw at its least, the 21 waits add up to 6 h 12 min (12 h 25 min at the most), so a mail
# server away or refusing us for up to 6 hours loses no email. A sign-in code is not sent
# late whatever the count: Composer.stale skips it once its 10 minutes have run out.
MAX_ATTEMPTS = 22


class RelayRefusing:
    """Whether our mail server refuses to take mail from us at all (a failed login, relaying
    denied, our server on a blocklist): one loud line when it starts and one when mail goes
    again, however many emails met it, as ``away.Outage`` tells of the database."""

    def __init__(self, log: logging.Logger) -> None:
        self.log = log
        self.since: float | None = None

    def refused(self, result: MailResult) -> None:
        if self.since is None:
            self.since = time.monotonic()
            self.log.error(
                "the mail server refuses our mail (%s %s): every email waits and is tried again"
                " until it takes them; check SMTP_URL, MAIL_FROM and the server's own log",
                result.status,
                result.error,
            )

    def took(self) -> None:
        if self.since is not None:
            self.log.warning(
                "the mail server takes our mail again after %.0f s", time.monotonic() - self.since
            )
            self.since = None


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
    relay: RelayRefusing = field(default_factory=lambda: RelayRefusing(log))
    _sent: list[int] = field(default_factory=list)
    _stop: asyncio.Event | None = None
    leases: Leases = field(init=False)

    def __post_init__(self) -> None:
        self.leases = Leases(self.pool, self.sql, "mail", self.lease_seconds, self.name)

    async def run_once(self, stop: asyncio.Event | None = None) -> int:
        """Send what is ready until nothing is; how many messages were handled."""
        self._stop = stop
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
        # "You met" attaches the vCard "Save contact" gives, photo included: loaded only for
        # a card that has one, as that download loads it (the claim carries only its key).
        photo = None
        if row["kind"] == "met" and row["about_photo_key"]:
            photo = await sql.run(pool, "photos.get", key=row["about_photo_key"])
        try:
            recipient = sendable_address(row["to_address"])
            message = self.composer.compose(row, datetime.now(UTC), photo)
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
        deadline = time.monotonic() + time_limit
        result = await self.sender.send(
            message, recipient, time_limit=time_limit, until=lambda: self._ends(row["id"], deadline)
        )
        if result.unanswered:
            log.warning("email %s: %s; recorded as sent, not sent again", row["id"], result.error)
        if result.sent:
            self.relay.took()
            self._sent.append(row["id"])
            return True
        if result.relay_refused:
            self.relay.refused(result)
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

    def _ends(self, row_id: int, deadline: float) -> float:
        """When a send of this row must be over (``time.monotonic()``), asked again while it
        waits for the reply to the message's end: later each time its lease is renewed, past
        at once when another worker took it over. Once stopping, no later than ``deadline``
        (its own time limit): a SIGTERM is not held up for minutes."""
        if self._stop is not None and self._stop.is_set():
            return deadline
        return self.leases.held.get(row_id, 0.0) - SEND_MARGIN * self.leases.seconds

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
