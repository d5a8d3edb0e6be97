"""The worker process (``python -m server worker``): the push worker, the mail worker and
retention (deleting what is kept only for a while) side by side on one pool, all stopping on
SIGTERM (finishing what is on the wire, handing back the rest)."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Coroutine
from email.utils import parseaddr
from typing import Any

from server.config import Settings
from server.db import away
from server.db.listener import Listener
from server.db.pool import create_pool
from server.db.queries import Queries
from server.followups import push
from server.followups.notifications import Paths
from server.followups.worker import Worker, push_client
from server.mail.links import MailLinks
from server.mail.messages import Composer
from server.mail.smtp import MailSender
from server.mail.worker import MailWorker
from server.privacy.retention import Retention
from server.web.urls import Urls

log = logging.getLogger("reachout.worker")
# SMTP connections kept open: 16 send 500+ emails a second to the local sink (8 gave about
# 430, bench/mail.py); few enough for a mail provider's per-client connection limit.
MAIL_CONNECTIONS = 16


async def main(settings: Settings) -> None:
    from starlette.routing import Router

    from server.app import ROUTES

    assert settings.database_url and settings.database_direct_url
    pool = await create_pool(
        settings.database_url,
        max_size=6,
        application_name="reachout-worker",
        statement_cache=settings.database_statement_cache,
    )
    # LISTEN needs a session of its own: past any pooler.
    listener = Listener(settings.database_direct_url, "mail")
    await listener.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    sql = Queries()
    outage = away.Outage(log)
    mail_sender = MailSender(
        settings.smtp_url, parseaddr(settings.mail_from)[1], connections=MAIL_CONNECTIONS
    )
    try:
        # The database may go away between the migrations and here (a restart): wait again.
        keys = await away.wait_for_database(
            lambda: push.load_keys(pool, settings.vapid_private_key),
            seconds=settings.database_wait_seconds,
            say=log.warning,
        )
        async with push_client(settings, settings.worker_concurrency) as http:
            pushes = Worker(
                pool=pool,
                sql=sql,
                sender=push.PushSender(keys, settings.vapid_subject, http),
                paths=Paths(Router(routes=ROUTES), settings.secret_key),
                concurrency=settings.worker_concurrency,
                lease_seconds=settings.worker_lease_seconds,
                digest_delay_seconds=settings.digest_delay_minutes * 60,
                roster_days=settings.roster_days,
                outage=outage,
            )
            links = MailLinks(Urls(ROUTES), settings.base_url, settings.secret_key)
            mail = MailWorker(
                pool=pool,
                sql=sql,
                sender=mail_sender,
                composer=Composer(settings.mail_from, links, settings.roster_days),
                lease_seconds=settings.worker_lease_seconds,
                outage=outage,
            )
            retention = Retention(pool=pool, sql=sql, settings=settings, outage=outage)
            log.info("worker started")
            await _together(stop, pushes.run(stop), mail.run(stop, listener), retention.run(stop))
            log.info("worker stopped")
    finally:
        await mail_sender.close()
        await listener.close()
        await pool.close()


async def _together(stop: asyncio.Event, *runs: Coroutine[Any, Any, None]) -> None:
    """Run side by side until all end. One failing stops the others as SIGTERM does, so
    that they record what was accepted and hand back the rest before the pool closes (a
    plain gather would close it under them); then its error ends the process."""

    async def stopping_the_others(run: Coroutine[Any, Any, None]) -> None:
        try:
            await run
        except BaseException:
            stop.set()
            raise

    ended = await asyncio.gather(*map(stopping_the_others, runs), return_exceptions=True)
    for outcome in ended:
        if isinstance(outcome, BaseException):
            raise outcome
