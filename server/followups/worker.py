"""The reminder worker: turns due follow-ups into pushes, each delivered once per device.

Work is claimed in PostgreSQL (``FOR UPDATE SKIP LOCKED`` plus a short lease in the
worker's name), so any number of workers can run against one database. A living
worker renews its leases every quarter lease; a killed one stops renewing, and its
deliveries go to another worker as soon as the lease runs out (seconds). A send
starts only while its lease has at least half its length left, and may take no longer
than what remains, so a delivery is never on the wire from two workers at once.
Outcomes follow the push service's answer: 201 sent, 404/410 device forgotten (and the
item emailed when that leaves reminders by email: push_not_sent()), 413 and other 4xx
failed, 429/5xx/network retried with exponential backoff and jitter (honouring
``Retry-After``), failed after ``MAX_ATTEMPTS``. A reminder, digest or summary
goes the way Settings say when it is sent, not when it was queued: one whose owner no longer
gets push is emailed instead, or not sent with "Neither" (skip_push() in sql/logic.sql).

The one window no design closes: a push service accepted a message and the worker
died before recording it (accepted sends are recorded together, every 20 ms, so the
window is that long), or was cut off from the database for longer than a lease
(to the other workers it is then dead). The message carries a ``Topic`` and the
notification a ``tag`` per contact, so even then the person sees one reminder.
"""

from __future__ import annotations

import asyncio
import logging
import random
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from server.config import Settings
from server.db import away, outbox
from server.db.leases import Leases, worker_name
from server.db.pool import away_reason
from server.db.queries import Queries
from server.followups import push
from server.followups.notifications import Paths, notification
from server.followups.push_http import PushHttp

log = logging.getLogger("reachout.worker")

TTL = 24 * 3600  # a reminder a day late is still worth having
BACKOFF_CAP = 3600.0
# Retries wait 2 s, doubling, to an hour (BACKOFF_CAP), each between half that and all of it
# (jitter): 20 attempts keep trying for 4.6 hours at the least (9.1 at the most) before a
# reminder is failed, so that a push service down for minutes, or an hour or two, loses
# nothing. 8 gave up after 2 to 4 minutes.
MAX_ATTEMPTS = 20
# Reminders one account gets one by one in its day; past these, a summary per device
# ("You have N people to follow up"), and another no sooner than SUMMARY_GAP after it for
# those that come due later.
REMINDERS_EACH_DAY = 5
SUMMARY_GAP = 3 * 3600.0
# Claimed rows held ahead of the sends, in concurrencies (server/db/outbox.py): three, so
# that the sends do not run dry while the next claim is made.
HAND_DEPTH = 3
# Seconds between looks for what the enqueue running alongside has queued meanwhile.
ENQUEUE_LOOK_AGAIN = 0.05


def _halted(stops: tuple[asyncio.Event | None, ...]) -> bool:
    return any(stop is not None and stop.is_set() for stop in stops)


def _log_unless_away(error: BaseException, what: str) -> None:
    """An error that lost to another one raised in its place: told, unless it is the
    database going away (which the raised one tells, once, as an outage)."""
    if away_reason(error) is None and not isinstance(error, asyncio.CancelledError):
        log.error("%s failed as well", what, exc_info=error)


def backoff(attempts: int, retry_after: float | None, rng: random.Random, base: float) -> float:
    """Exponential with jitter, never sooner than the push service asked."""
    ceiling = min(BACKOFF_CAP, base * 2 ** max(0, attempts - 1))
    delay = rng.uniform(ceiling / 2, ceiling)
    return max(delay, retry_after or 0.0)


@dataclass
class Worker:
    pool: Any
    sql: Queries
    sender: push.PushSender
    paths: Paths
    concurrency: int = 64
    batch: int = 256
    enqueue_batch: int = 1000  # due follow-ups taken in one transaction
    digest_batch: int = 2000  # attendees one digest statement takes
    digest_enqueuers: int = 2  # digest statements at once, each taking its own attendees
    poll_seconds: float = 1.0
    lease_seconds: float = 20.0
    backoff_base: float = 2.0  # seconds before the first retry, doubled each time
    max_attempts: int = MAX_ATTEMPTS
    digest_delay_seconds: float = 3600.0  # an hour after the event ends
    roster_days: int = 30  # ROSTER_DAYS: how long the digest says the list of people stays open
    rng: random.Random = field(default_factory=random.Random)
    name: str = field(default_factory=worker_name)
    # Shared by the loops of one process, so an outage is told once.
    outage: away.Outage = field(default_factory=lambda: away.Outage(log))
    _sent: list[tuple[int, int]] = field(default_factory=list)
    leases: Leases = field(init=False)

    def __post_init__(self) -> None:
        self.leases = Leases(self.pool, self.sql, "deliveries", self.lease_seconds, self.name)

    async def enqueue_due(self, *stops: asyncio.Event | None) -> int:
        """Queue the reminders of due follow-ups, batch by batch until none are left or one
        of ``stops`` is set; how many follow-ups were taken."""
        total = 0
        while not _halted(stops):
            taken = await self._enqueue_some()
            total += taken
            if taken < self.enqueue_batch:
                break
        return total

    async def _enqueue_some(self) -> int:
        """One batch, in one transaction: lock due follow-ups, then their owners (an advisory
        lock each) and their summaries waiting to go, then queue, so that the day's count per
        owner holds with any number of workers enqueueing at once, and no claim sends a
        summary counted on meanwhile (the four queries in sql/queries/deliveries.sql)."""
        async with self.pool.acquire() as conn, conn.transaction():
            due = await self.sql.run(conn, "deliveries.take_due", limit=self.enqueue_batch)
            if not due:
                return 0
            owners = sorted({row["owner_id"] for row in due})
            await self.sql.run(conn, "deliveries.lock_owners", owners=owners)
            await self.sql.run(conn, "deliveries.lock_waiting_summaries", owners=owners)
            await self.sql.run(
                conn,
                "deliveries.enqueue_taken",
                ids=[row["id"] for row in due],
                each_day=REMINDERS_EACH_DAY,
                summary_gap_seconds=SUMMARY_GAP,
            )
            return len(due)

    async def enqueue_digests(self, *stops: asyncio.Event | None) -> int:
        """Queue the digests of events that ended, batch by batch until none are left or one
        of ``stops`` is set; how many attendees were taken.

        ``digest_enqueuers`` statements at once, each taking its own attendees (``SKIP
        LOCKED``): 70,000 attendees are seconds of database work, and one statement at a
        time uses one of PostgreSQL's cores."""

        async def enqueue_batches() -> int:
            total = 0
            while not _halted(stops):
                taken: int = await self.sql.run(
                    self.pool,
                    "deliveries.enqueue_digests",
                    limit=self.digest_batch,
                    delay_seconds=self.digest_delay_seconds,
                )
                total += taken
                if taken < self.digest_batch:
                    break
            return total

        # Each runs to its end (or its error) before an error is raised: none is left behind.
        results = await asyncio.gather(
            *(enqueue_batches() for _ in range(self.digest_enqueuers)), return_exceptions=True
        )
        errors = [result for result in results if isinstance(result, BaseException)]
        if errors:
            for error in errors[1:]:
                _log_unless_away(error, "queueing digests")
            raise errors[0]
        return sum(result for result in results if not isinstance(result, BaseException))

    async def _enqueue(self, *stops: asyncio.Event | None) -> None:
        await self.enqueue_due(*stops)
        await self.enqueue_digests(*stops)

    async def run_once(self, stop: asyncio.Event | None = None) -> int:
        """Enqueue what is due and send until nothing is ready. Returns deliveries handled.

        Sending starts with the first batch enqueued, not after the last: a backlog of
        tens of thousands (a big event's digest) takes seconds of database work to enqueue,
        and the sends would idle meanwhile. The drain (``server/db/outbox.py``) keeps
        claiming ahead of the sends, so neither a batch's slowest send nor a claim leaves
        the send slots idle.
        """
        # Sends accepted in a pass the database cut short are recorded before anything new.
        await self._record_sent()
        # Set when the drain fails or is cancelled: the enqueue ends after the batch under
        # way (each commits on its own) instead of carrying on alone.
        halt = asyncio.Event()
        enqueueing = asyncio.create_task(self._enqueue(stop, halt))
        handled = 0
        try:
            while True:
                enqueued_all = enqueueing.done()
                handled += await outbox.drain(
                    self.leases,
                    lambda row, left: self.deliver(row, time_limit=min(self.sender.timeout, left)),
                    self._record_sent,
                    concurrency=self.concurrency,
                    batch=self.batch,
                    depth=HAND_DEPTH,
                    stop=stop,
                )
                if enqueued_all or _halted((stop,)):
                    break
                # Nothing ready yet: the next batch, or the end of the enqueue, is near.
                await asyncio.wait({enqueueing}, timeout=ENQUEUE_LOOK_AGAIN)
        except BaseException:
            halt.set()
            await asyncio.wait({enqueueing})
            if not enqueueing.cancelled() and (error := enqueueing.exception()) is not None:
                _log_unless_away(error, "queueing reminders")
            raise
        await enqueueing  # after a stop, the batch under way; its error, if any
        return handled

    async def _record_sent(self) -> None:
        """Record accepted sends in one statement: per-row commits held the send slots.

        An accepted send is never forgotten: when the database cannot take the record,
        the batch is kept (and raised about) to be recorded on the next try."""
        if not self._sent:
            return
        batch, self._sent = self._sent, []
        try:
            await self.sql.run(
                self.pool,
                "deliveries.mark_sent_many",
                ids=[d for d, _ in batch],
                statuses=[s for _, s in batch],
            )
        except BaseException:
            self._sent = batch + self._sent
            raise
        self.leases.let_go(*(delivery for delivery, _ in batch))

    @property
    def unrecorded(self) -> int:
        """Sends the push service accepted that the database does not know of yet."""
        return len(self._sent)

    async def deliver(self, row: Any, *, time_limit: float | None = None) -> bool:
        """Send one claimed delivery and record how it went; True when the push service
        accepted it (recorded with the next batch, by ``_record_sent``)."""
        sql = self.sql
        # A request is stale once answered, withdrawn, or the two swapped since (the claim's
        # request_status says which).
        stale = (
            row["followup_id"] is not None
            and (row["followup_status"] != "open" or row["followup_round"] != row["round"])
        ) or (row["request_id"] is not None and row["request_status"] != "pending")
        # A summary with nobody waiting any more (all followed up before it went).
        stale = stale or (row["summary_account_id"] is not None and not row["summary_waiting"])
        if stale:
            await self._give_back_alert(row)
            await sql.run(self.pool, "deliveries.mark_skipped", id=row["id"])
            return False
        if row["endpoint"] is not None and row["session_in_use"] is False:
            # Its browser's session has ended (unused for as long as a session lives:
            # session_in_use() in sql/logic.sql, as signing in reads it), though retention
            # deletes it, and the subscription with it, only later: not pushed, its buttons
            # would still act there. Skipped as a removed device's push is (skip_push()): her
            # other devices in use have theirs, and on "Automatic" with none left it is
            # emailed. Never queued for this device again (reminder_devices()).
            await self._give_back_alert(row)
            await sql.run(self.pool, "deliveries.mark_not_pushed", id=row["id"])
            return False
        if row["endpoint"] is None and row["by_push"] is None:
            # A request to connect, to a device removed since.
            await sql.run(self.pool, "deliveries.mark_gone", id=row["id"], status=None)
            return False
        if row["endpoint"] is None or row["by_push"] is False:
            # How reminders come changed while it waited (for the morning, a retry): "Neither",
            # by email, or its device removed. Emailed instead when reminders are emailed now
            # (skip_push() in sql/logic.sql).
            await sql.run(self.pool, "deliveries.mark_not_pushed", id=row["id"])
            return False
        subscription = push.Subscription(row["endpoint"], row["p256dh"], row["auth"])
        # A digest can wait for a good moment; a reminder or a request should not.
        urgency = "low" if row["digest_event_id"] is not None else "normal"
        try:
            message = notification(
                row, paths=self.paths, now=datetime.now(UTC), roster_days=self.roster_days
            )
            result = await self.sender.send(
                subscription,
                message,
                ttl=TTL,
                urgency=urgency,
                topic=message["tag"],
                time_limit=time_limit,
            )
        except Exception as error:
            # A notification we fail to build or encrypt fails alone: the worker goes on with
            # everyone else's, and does not meet it again when its lease runs out.
            log.exception("delivery %s could not be sent", row["id"])
            error_text = f"{type(error).__name__}: {error}"[:200]
            await self._give_back_alert(row)
            await sql.run(
                self.pool, "deliveries.mark_failed", id=row["id"], status=None, error=error_text
            )
            return False
        if result.sent:
            self._sent.append((row["id"], result.status))
            return True
        await self._give_back_alert(row)
        if result.gone:
            log.info("subscription %s gone (%s): removed", row["subscription_id"], result.status)
            await sql.run(self.pool, "deliveries.mark_gone", id=row["id"], status=result.status)
        elif result.retryable:
            delay = backoff(row["attempts"], result.retry_after, self.rng, self.backoff_base)
            await sql.run(
                self.pool,
                "deliveries.mark_retry",
                id=row["id"],
                retry_seconds=delay,
                max_attempts=self.max_attempts,
                status=result.status,
                error=result.error,
            )
        else:
            log.warning("delivery %s refused with %s: %s", row["id"], result.status, result.error)
            await sql.run(
                self.pool,
                "deliveries.mark_failed",
                id=row["id"],
                status=result.status,
                error=result.error,
            )
        return False

    async def _give_back_alert(self, row: Any) -> None:
        """A request's push claimed to alert, not sent: its device's stamp given back
        (deliveries.give_back_alert), so that its retry, or the next request, alerts. Before
        the outcome is recorded: a retry claimed at once must find it back."""
        if row["request_alerts"]:
            await self.sql.run(
                self.pool,
                "deliveries.give_back_alert",
                subscription_id=row["subscription_id"],
                alerted_at=row["request_alerted_at"],
                alerted_before=row["request_alerted_before"],
            )

    async def run(self, stop: asyncio.Event) -> None:
        """Until ``stop`` is set: finishes what it started, hands back the rest, and rides out
        the database going away (the leases keep the work safe meanwhile)."""
        # Renewed until the very end: sends finishing and records waiting still hold rows.
        finished = asyncio.Event()
        renewing = asyncio.create_task(self.leases.renew_until(finished))
        try:
            await self._run(stop)
            await self._record_before_stopping()
        finally:
            finished.set()
            await renewing

    async def _run(self, stop: asyncio.Event) -> None:
        await away.keep_running(
            lambda: self.run_once(stop),
            stop,
            outage=self.outage,
            poll_seconds=self.poll_seconds,
            rng=self.rng,
        )

    async def _record_before_stopping(self) -> None:
        await away.record_before_stopping(
            self._record_sent, lambda: len(self._sent), log=log, what="sends"
        )


def push_client(settings: Settings, concurrency: int) -> PushHttp:
    """The worker's connections to push services: ``concurrency`` requests in flight at most."""
    return PushHttp(ssl.create_default_context(cafile=settings.push_ca_file), concurrency)
