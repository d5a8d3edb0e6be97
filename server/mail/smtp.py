"""Sending to the mail server at ``SMTP_URL`` with ``aiosmtplib``: a few connections kept open
and reused, and every outcome sorted into sent, try again, or refused for good.

``smtp://`` upgrades with STARTTLS when the server offers it; ``smtps://`` is TLS from the
first byte. A user and password in the URL log in. 4xx replies, a dropped connection and
timeouts are temporary. A 5xx is a bounce (the address gets no more mail) only when it says
the mailbox is the trouble: an enhanced code (RFC 3463) 5.1.x or 5.2.x at any stage (not
one about the sender, ours, nor 5.2.3, a message too long), or 550, 551 or 553 without one at
RCPT. But 5.2.2, a mailbox full, is "a persistent transient failure" (RFC 3463): this email
is tried again later, as after a 4xx, and fails once its tries run out; the address is not
marked bouncing. A 5xx before RCPT (the greeting, the login, STARTTLS, MAIL FROM) or any
other at RCPT (5.7.x relaying denied, a blocklist, 5.3.x) is our mail server refusing us:
tried again, as when it is away. Any other 5xx at DATA refuses this message only.

Once the whole message, its final ".", has left, the server has it: one scanning it under load
can take minutes to say so (RFC 5321 4.5.3.2.6 gives it 10). That reply is waited for while the
caller's ``until`` allows (a lease being renewed), up to ``reply_timeout``; none by then is
``unanswered``: counted as sent, for sending it again would most likely deliver it twice.
Only if the server's end acknowledged every byte of it, though: some still in our buffers or,
on Linux, in the socket's queue unacknowledged (a server that stopped reading, a network gone
quiet) may never have reached it, and is tried again.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import struct
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from urllib.parse import unquote, urlsplit

import aiosmtplib
from aiosmtplib.protocol import PERIOD_REGEX, SMTPProtocol, normalize_message_line_endings
from aiosmtplib.response import SMTPResponse

from server.mail.messages import flatten

if sys.platform == "linux":
    import fcntl
    import termios


@dataclass(frozen=True)
class MailResult:
    status: int  # the SMTP reply code; 0 when there was none (connection, timeout)
    error: str = ""
    bounced: bool = False  # the recipient was refused for good
    # Our mail server refused us, not this message nor its address (our login, our sender,
    # its policy): every email meets it until someone fixes it, so it is tried again.
    relay_refused: bool = False
    # The whole message left but no reply to its end came in time: most likely taken (a
    # server answers late when it scans content), so sent, not tried again; ``error`` says so.
    unanswered: bool = False
    # The mailbox is full (X.2.2): it may have room later, so this email is tried again,
    # and the address is not marked bouncing.
    mailbox_full: bool = False

    @property
    def sent(self) -> bool:
        return self.unanswered or 200 <= self.status < 300

    @property
    def retryable(self) -> bool:
        if self.unanswered:
            return False
        return (
            self.relay_refused or self.mailbox_full or self.status == 0 or 400 <= self.status < 500
        )


# Where in the transaction a reply came: it says whom a 5xx is about.
SESSION, RECIPIENT, DATA = "session", "recipient", "data"
# An enhanced status code (RFC 3463) at the start of a 5xx reply's text: its subject and detail.
ENHANCED = re.compile(r"5\.(\d{1,3})\.(\d{1,3})\b")
# X.1.7 and X.1.8 are the sender's address (ours), not the recipient's mailbox; so is an
# X.1.0 (other address status) that names the sender: Postfix refuses a sender it could not
# verify at RCPT with "550 5.1.0 <reachout@…>: Sender address rejected".
SENDER_DETAILS = ("7", "8")
SENDER_SAID = re.compile(r"\bsender\b", re.IGNORECASE)
# X.2.3: the message is longer than the mailbox takes: this message, not the address.
MESSAGE_DETAILS = ("3",)
# X.2.2: the mailbox is full, "a persistent transient failure" (RFC 3463): neither.
FULL_DETAIL = "2"
# Without an enhanced code, the RCPT replies that name the mailbox (RFC 5321): unavailable,
# not local, a name not allowed.
MAILBOX_CODES = (550, 551, 553)


@dataclass
class MailSender:
    url: str
    sender: str  # the envelope sender: MAIL_FROM's address
    connections: int = 4
    timeout: float = 30.0
    # The longest wait for the reply to the end of a message: RFC 5321's 10 minutes.
    reply_timeout: float = 600.0
    _idle: asyncio.Queue[aiosmtplib.SMTP] = field(init=False)

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        tls = parts.scheme == "smtps"
        self._options = {
            "hostname": parts.hostname,
            "port": parts.port or (465 if tls else 587),
            "username": unquote(parts.username) if parts.username else None,
            "password": unquote(parts.password) if parts.password else None,
            "use_tls": tls,
            "start_tls": None if not tls else False,  # None: when the server offers it
        }
        self._idle = asyncio.Queue()
        for _ in range(self.connections):
            self._idle.put_nowait(self._client())

    def _client(self) -> aiosmtplib.SMTP:
        return aiosmtplib.SMTP(timeout=self.timeout, **self._options)  # type: ignore[arg-type]

    async def send(
        self,
        message: Message,
        recipient: str,
        *,
        time_limit: float | None = None,
        until: Callable[[], float] | None = None,
    ) -> MailResult:
        """Send ``message`` to the envelope ``recipient`` (the address in its ``To``): all of
        it within ``time_limit`` seconds, but the reply to its end, once it has all left,
        as long as ``until()`` (a ``time.monotonic()`` time, asked again as it comes: a
        renewed lease) allows, at most ``reply_timeout``. Without ``until`` that reply is
        waited for within ``time_limit`` too."""
        client = await self._idle.get()
        stage = SESSION
        limit = time_limit or self.timeout
        deadline = time.monotonic() + limit
        written = False
        try:
            async with asyncio.timeout(limit):
                if not client.is_connected:
                    await client.connect()
                # Flattened here, with the message's own policy (aiosmtplib's would refold
                # its headers at 78 characters).
                raw = flatten(message)
                # The transaction as its commands rather than sendmail(), which parses
                # both addresses once more and normalises the whole message's line endings
                # again only to count its size (flatten wrote CRLF already).
                size = [f"size={len(raw)}"] if client.supports_extension("size") else []
                await client.mail(self.sender, options=size)
                stage = RECIPIENT
                await client.rcpt(recipient)
                stage = DATA
                protocol = await _start_data(client)
                # As client.data() writes it (line endings, dot-stuffing, the final "."),
                # but here, so that a missing reply is told from one before the end left.
                body = PERIOD_REGEX.sub(b"..", normalize_message_line_endings(raw))
                protocol.write(body + b".\r\n")
                written = True
            reply = await self._reply(protocol, until or (lambda: deadline))
            if reply.code != 250:
                raise aiosmtplib.SMTPDataError(reply.code, reply.message)
            return MailResult(250)
        except aiosmtplib.SMTPResponseException as error:
            await _reset(client)
            return refusal(stage, error.code, _said(error.message))
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            if written and isinstance(error, TimeoutError) and not _unacknowledged(client):
                client.close()
                return MailResult(
                    0,
                    "no reply to the end of the message: sent, but not known whether the mail"
                    " server took it",
                    unanswered=True,
                )
            client.close()  # a fresh connection next time
            return MailResult(0, f"{type(error).__name__}: {error}"[:200])
        finally:
            self._idle.put_nowait(client)

    async def _reply(self, protocol: SMTPProtocol, until: Callable[[], float]) -> SMTPResponse:
        """The reply to the end of DATA, waited for until ``until()``, asked again each time
        it comes (a renewed lease waits on), and at most ``reply_timeout``."""
        longest = time.monotonic() + self.reply_timeout
        while True:
            left = min(until(), longest) - time.monotonic()
            if left <= 0:
                raise TimeoutError("no reply to the end of the message")
            # Called again at once after a timeout, with nothing awaited in between: a reply
            # arriving then still finds a read waiting for it.
            with contextlib.suppress(aiosmtplib.SMTPReadTimeoutError):
                return await protocol.read_response(timeout=left)

    async def close(self) -> None:
        while not self._idle.empty():
            client = self._idle.get_nowait()
            if client.is_connected:
                with contextlib.suppress(aiosmtplib.SMTPException, OSError, TimeoutError):
                    await client.quit()


def refusal(stage: str, code: int, said: str) -> MailResult:
    """What a reply ``code`` with the text ``said`` at ``stage`` means for this email and
    its address."""
    if code < 500:
        return MailResult(code if code >= 400 else 0, said)
    if stage != SESSION and _mailbox_full(said):
        return MailResult(code, said, mailbox_full=True)
    if stage != SESSION and names_the_mailbox(stage, code, said):
        return MailResult(code, said, bounced=True)
    if stage == DATA:
        return MailResult(code, said)  # this message (its content, its size), not the address
    # Our login, our sender, or the server's policy on us: every address would get the same
    # answer, so none is marked bouncing for it and nothing fails for good.
    return MailResult(code, said, relay_refused=True)


def names_the_mailbox(stage: str, code: int, said: str) -> bool:
    """Whether a 5xx reply says the recipient's mailbox is the trouble. Some servers refuse
    a mailbox only at the end of DATA: the enhanced code still says so."""
    enhanced = ENHANCED.match(said)
    if enhanced is None:
        return stage == RECIPIENT and code in MAILBOX_CODES
    subject, detail = enhanced.groups()
    if subject == "2":
        return detail not in MESSAGE_DETAILS and detail != FULL_DETAIL
    return subject == "1" and detail not in SENDER_DETAILS and not SENDER_SAID.search(said)


def _mailbox_full(said: str) -> bool:
    """Whether a 5xx reply's enhanced code is 5.2.2, the recipient's mailbox full."""
    enhanced = ENHANCED.match(said)
    return enhanced is not None and enhanced.groups() == ("2", FULL_DETAIL)


async def _start_data(client: aiosmtplib.SMTP) -> SMTPProtocol:
    """Send DATA; the connection's protocol, to write the message on, once it says 354."""
    start = await client.execute_command(b"DATA")
    if start.code != 354:
        raise aiosmtplib.SMTPDataError(start.code, start.message)
    if client.protocol is None:
        raise aiosmtplib.SMTPServerDisconnected("Connection lost")
    return client.protocol


def _unacknowledged(client: aiosmtplib.SMTP) -> bool:
    """Whether some of what was written has not been acknowledged by the server's end (a
    server that stopped reading, a network gone quiet): then the end of the message may
    never have reached it."""
    transport = client.protocol.transport if client.protocol is not None else None
    if not isinstance(transport, asyncio.WriteTransport):
        return False
    if transport.get_write_buffer_size() > 0:
        return True
    # Under TLS the encrypted bytes wait in the transport beneath, which the TLS transport's
    # own count leaves out (asyncio's sslproto; a private attribute, hence getattr).
    below = getattr(getattr(transport, "_ssl_protocol", None), "_transport", None)
    if isinstance(below, asyncio.WriteTransport) and below.get_write_buffer_size() > 0:
        return True
    return _unacknowledged_by_peer(transport.get_extra_info("socket"))


def _unacknowledged_by_peer(sock: object) -> bool:
    """Whether the kernel still holds bytes of ours the server's TCP has not acknowledged.
    What left asyncio's buffer is only in our kernel's (a small message at once, whole): a
    network gone quiet, or a server whose receive buffer is full, never acknowledges it. On Linux
    ``TIOCOUTQ`` (``SIOCOUTQ``) on a TCP socket counts the bytes sent but not acknowledged
    plus those not sent yet. Elsewhere, or when it cannot be asked, it is not known: what
    left asyncio's buffer counts as arrived, as before this was asked."""
    fileno = getattr(sock, "fileno", None)
    if sys.platform != "linux" or fileno is None:
        return False
    try:
        queued = fcntl.ioctl(fileno(), termios.TIOCOUTQ, bytes(4))
    except (OSError, ValueError):
        return False
    return bool(struct.unpack("i", queued)[0] > 0)


async def _reset(client: aiosmtplib.SMTP) -> None:
    # After a refused transaction the connection can carry on, once reset; if even that
    # fails, a fresh connection next time.
    try:
        if client.is_connected:
            await client.rset()
    except (aiosmtplib.SMTPException, OSError, TimeoutError):
        client.close()


def _said(text: str) -> str:
    return " ".join(text.split())[:200]
