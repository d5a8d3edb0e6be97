"""A message whose end gets no reply counts as sent only once the mail server's end has
acknowledged every byte of it: Dana's sign-in code is tried again, not marked sent, when the
relay stopped reading after its 354 (or the network went quiet) and part of the message never
reached it; a relay that read it all but never answers still has it, counted as sent once.

A network gone quiet cannot be made on loopback without root; a server that stops reading
with its receive buffer kept small leaves our bytes unacknowledged the same way. The message
is large so that it fills that buffer, yet fits whole in our own kernel's send buffer (asyncio
holds none of it: only the kernel knows it was never acknowledged)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email.message import EmailMessage

import pytest

from server.mail.smtp import MailResult, MailSender

pytestmark = pytest.mark.skipif(
    sys.platform != "linux", reason="only Linux says what the server acknowledged"
)

BODY_LINES = 14_000  # about 1 MB: far more than the server's receive buffer takes


async def answers_354_then(
    reads_on: bool, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    """An SMTP server that answers up to DATA's 354, then either stops reading (its kernel
    buffer fills, our bytes stay unacknowledged) or reads the whole message; it never
    answers the end."""
    writer.write(b"220 relay ready\r\n")
    while line := await reader.readline():
        if line[:4].upper() != b"DATA":
            writer.write(b"250 OK\r\n")
            continue
        writer.write(b"354 go ahead\r\n")
        if not reads_on:
            writer.transport.pause_reading()  # not a byte more off the socket
            await asyncio.Event().wait()
        tail = b""
        while not tail.endswith(b"\r\n.\r\n"):
            chunk = await reader.read(65536)
            if not chunk:
                return
            tail = (tail + chunk)[-5:]
        await asyncio.Event().wait()  # the whole message read; no 250, ever


@asynccontextmanager
async def relay(reads_on: bool) -> AsyncIterator[str]:
    listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # Small, and set before listening so the window offered follows it; what connects
    # inherits it.
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
    listening.bind(("127.0.0.1", 0))
    listening.listen()
    handlers: list[tuple[asyncio.Task[None], asyncio.StreamWriter]] = []

    def connected(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.create_task(answers_354_then(reads_on, reader, writer))
        handlers.append((task, writer))

    server = await asyncio.start_server(connected, sock=listening)
    try:
        yield f"smtp://127.0.0.1:{listening.getsockname()[1]}"
    finally:
        for task, writer in handlers:
            task.cancel()
            writer.close()
            with contextlib.suppress(asyncio.CancelledError, OSError):
                await task
        server.close()
        await server.wait_closed()


def sign_in_code() -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "reachout@localhost"
    mail["To"] = "dana@example.com"
    mail["Subject"] = "Your sign-in code"
    mail.set_content("Your sign-in code is 428913.\n" + "Kept for your records.\n" * BODY_LINES)
    return mail


async def send(url: str) -> MailResult:
    sender = MailSender(url, "reachout@localhost", connections=1)
    try:
        return await sender.send(sign_in_code(), "dana@example.com", time_limit=1.0)
    finally:
        await sender.close()


async def test_a_relay_that_stopped_reading_after_354_gets_the_code_again():
    async with relay(reads_on=False) as url:
        result = await send(url)
    assert (result.sent, result.retryable, result.unanswered) == (False, True, False), result
    assert result.error.startswith("TimeoutError"), result.error


async def test_a_relay_that_read_it_all_but_never_answers_has_it_once():
    async with relay(reads_on=True) as url:
        result = await send(url)
    assert (result.sent, result.retryable, result.unanswered) == (True, False, True), result
    assert result.error.startswith("no reply to the end of the message"), result.error
