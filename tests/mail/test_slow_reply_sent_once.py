"""A mail server slow to answer the end of a message (scanning it under load) has taken it:
Mia gets her "You met" once, whether the answer comes after the worker's lease would have run
out (the lease is renewed and the worker waits) or never comes in time (counted as sent, not
sent again), and her Settings say it was sent."""

from __future__ import annotations

import asyncio
from email.message import EmailMessage

from aiosmtpd.smtp import SMTP

from server.local_services.mail_sink import LocalMailSink
from server.mail.smtp import MailSender
from tests.mailing import leaves_details, running_mail_worker
from tests.phone import Phone, soup


async def run_for(worker, seconds: float) -> None:
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    await asyncio.sleep(seconds)
    stop.set()
    await running


async def recent_emails(mia: Phone) -> str:
    page = soup(await mia.get("/settings"))
    outbox = page.select_one("#outbox")
    assert outbox is not None, "no Recent emails in Mia's Settings"
    return " ".join(outbox.get_text().split())


async def test_an_answer_slower_than_the_lease_is_waited_for_and_mia_gets_one_copy(
    new_phone, pool, app
):
    _, mia = await leaves_details(new_phone)
    # The 250 comes 3 s after the message: past the 2 s lease, which the worker renews.
    async with (
        LocalMailSink(slow_answer=3.0) as sink,
        running_mail_worker(
            app, sink, lease_seconds=2.0, backoff_base=0.1, poll_seconds=0.1
        ) as worker,
    ):
        await run_for(worker, 6.0)
        copies = sink.received_for("mia@example.com")
    assert [m.subject for m in copies] == ["You met Dana Lee"]
    row = await pool.fetchrow("SELECT status, attempts, last_status FROM emails")
    assert (row["status"], row["attempts"], row["last_status"]) == ("sent", 1, 250)
    assert (await recent_emails(mia)).startswith("You met · sent")


async def test_no_answer_in_time_after_the_whole_message_left_counts_as_sent(new_phone, pool, app):
    _, mia = await leaves_details(new_phone)
    async with (
        LocalMailSink(slow_answer=8.0) as sink,
        running_mail_worker(
            app, sink, lease_seconds=4.0, backoff_base=0.1, poll_seconds=0.1
        ) as worker,
    ):
        # Waits at most 1 s for the answer here (RFC 5321's 10 minutes in production).
        worker.sender.reply_timeout = 1.0
        await run_for(worker, 6.0)
        copies = sink.received_for("mia@example.com")
    assert [m.subject for m in copies] == ["You met Dana Lee"]
    row = await pool.fetchrow("SELECT status, attempts FROM emails")
    assert (row["status"], row["attempts"]) == ("sent", 1)
    shown = await recent_emails(mia)
    assert shown.startswith("You met · sent"), shown
    assert "not delivered" not in shown and "trying again" not in shown


async def test_stopping_does_not_wait_minutes_for_a_slow_answer(new_phone, pool, app):
    """SIGTERM while the answer is minutes away: the worker stops within its send's time
    limit (the lease's), the message counted as sent."""
    await leaves_details(new_phone)
    async with (
        LocalMailSink(slow_answer=60.0) as sink,
        running_mail_worker(app, sink, lease_seconds=2.0, poll_seconds=0.1) as worker,
    ):
        stop = asyncio.Event()
        running = asyncio.create_task(worker.run(stop))
        await sink.wait_for(1)
        await asyncio.sleep(2.5)  # past the send's own time limit: the renewed lease waits on
        stop.set()
        async with asyncio.timeout(5):
            await running
        copies = sink.received_for("mia@example.com")
    assert len(copies) == 1
    assert await pool.fetchval("SELECT status FROM emails") == "sent"


class SlowAtRecipient:
    """A server that does not answer RCPT in time: the message never left."""

    async def handle_RCPT(self, server, session, envelope, address, options) -> str:
        await asyncio.sleep(5)
        envelope.rcpt_tos.append(address)
        return "250 OK"


async def test_no_answer_before_the_message_left_is_tried_again():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(SlowAtRecipient(), hostname="localhost", loop=loop), "127.0.0.1", 0
    )
    port = server.sockets[0].getsockname()[1]
    sender = MailSender(f"smtp://127.0.0.1:{port}", "reachout@localhost", connections=1)
    message = EmailMessage()
    message["To"] = "dana@example.com"
    message.set_content("Hello")
    try:
        result = await sender.send(message, "dana@example.com", time_limit=0.5)
    finally:
        await sender.close()
        server.close()
    assert (result.sent, result.retryable, result.unanswered) == (False, True, False)
    assert result.error.startswith("TimeoutError")
