"""Test helpers for email: a mail worker sending to the local sink, the person with no app
leaving her details on Dana's card, and a follow-up reminder coming by email."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

import httpx
from starlette.applications import Starlette

from server.followups.worker import Worker
from server.local_services.mail_sink import LocalMailSink, ReceivedMail
from server.mail.links import MailLinks
from server.mail.messages import Composer
from server.mail.smtp import MailSender
from server.mail.worker import MailWorker
from tests.phone import Phone
from tests.reminders import make_due


@asynccontextmanager
async def running_mail_worker(
    app: Starlette, sink: LocalMailSink, **options: Any
) -> AsyncIterator[MailWorker]:
    """A mail worker built as the worker process builds it, sending to ``sink``."""
    settings = app.state.settings
    sender = MailSender(sink.url, "reachout@localhost", connections=options.pop("connections", 4))
    links = MailLinks(app.state.urls, settings.base_url, settings.secret_key)
    worker = MailWorker(
        pool=options.pop("pool", app.state.pool),
        sql=app.state.sql,
        sender=sender,
        composer=options.pop("composer", None)
        or Composer(settings.mail_from, links, settings.roster_days),
        **options,
    )
    try:
        yield worker
    finally:
        await sender.close()


async def reminded_by_email(
    app: Starlette, pool: Any, sink: LocalMailSink, address: str = "mia@example.com"
) -> ReceivedMail:
    """``address`` is confirmed, everyone gets reminders by email, and the follow-ups fall due:
    the one reminder sent to ``address``."""
    await confirm_addresses(pool, address)
    await pool.execute("UPDATE accounts SET reminders_by = 'email'")
    await make_due(pool)
    pushes = Worker(pool=pool, sql=app.state.sql, sender=None, paths=None)  # type: ignore[arg-type]
    await pushes.enqueue_due()
    async with running_mail_worker(app, sink) as worker:
        await worker.run_once()
    [reminder] = sink.received_for(address)
    return reminder


async def sent_once(app: Starlette, sink: LocalMailSink) -> ReceivedMail:
    """One round of the mail worker, which sends exactly one email: that email."""
    async with running_mail_worker(app, sink) as worker:
        await worker.run_once()
    [sent] = await sink.wait_for(1)
    return sent


async def leaves_details(
    new_phone: Any,
    dana: Phone | None = None,
    *,
    name: str = "Mia Chen",
    email: str = "mia@example.com",
) -> tuple[Phone, Phone]:
    """Dana shares her card; a visitor with no app and no card leaves her details on it."""
    if dana is None:
        dana = await new_phone()
        await dana.make_card()
    link = await dana.share_link()
    visitor = await new_phone()
    response = await visitor.post(link + "/details", {"name": name, "email": email})
    assert response.status_code == 303, response.text
    return dana, visitor


async def pressed(phone: Phone, link: str) -> httpx.Response:
    """The one button on the page an email's link opens: its POST, which leads back to the
    link's page by GET (so that a reload asks nothing again), and that page."""
    answer = await phone.post(link, {})
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"].startswith(link.split("?")[0] + "?")
    return await phone.get(answer.headers["location"])


def link_in(mail: ReceivedMail, starts: str, ends: str = "") -> str:
    """The path and query of the first link in the text part whose path starts with
    ``starts`` (a path, like "/m/confirm/") and ends with ``ends`` (like "/snooze")."""
    text = mail.message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    for word in text.split():
        parts = urlsplit(word)
        if parts.path.startswith(starts) and parts.path.endswith(ends):
            return f"{parts.path}?{parts.query}" if parts.query else parts.path
    raise AssertionError(f"no {starts} link in:\n{text}")


async def code_sent(app: Starlette, sink: LocalMailSink, subject: re.Pattern[str], to: str) -> str:
    """Send what is queued; the code in the newest message to ``to`` whose subject matches
    ``subject`` (its first group), whatever else went out meanwhile."""
    async with running_mail_worker(app, sink) as worker:
        await worker.run_once()
    for mail in reversed(sink.received):
        found = subject.match(mail.subject)
        if found and mail.recipients == (to,):
            return found.group(1)
    raise AssertionError(f"no {subject.pattern} to {to} in {[m.subject for m in sink.received]}")


async def confirm_addresses(pool: Any, *addresses: str) -> None:
    """Each address confirmed by its owner for the account whose card carries it, as the
    button in a confirmation email does (tested in tests/mail)."""
    await pool.execute(
        """INSERT INTO email_addresses (address, confirmed_at)
           SELECT DISTINCT lower(c.email), now()
           FROM cards c WHERE lower(c.email) = ANY($1::text[])
           ON CONFLICT (address) DO UPDATE SET confirmed_at = now()""",
        list(addresses),
    )
    await pool.execute(
        """INSERT INTO address_confirmations (address, account_id)
           SELECT DISTINCT ON (lower(c.email)) lower(c.email), c.account_id
           FROM cards c WHERE lower(c.email) = ANY($1::text[])
           ORDER BY lower(c.email), c.account_id
           ON CONFLICT DO NOTHING""",
        list(addresses),
    )
