"""A local SMTP server that keeps every message, for development, tests and benchmarks.

``LocalMailSink`` is a real SMTP server (aiosmtpd) on 127.0.0.1, so the app's mail goes
over the wire through the same client (aiosmtplib) it uses against a real mail server:

* ``async with LocalMailSink(directory=...) as sink:`` listens on a free port (or the
  ``port`` given); ``sink.url`` is ``smtp://127.0.0.1:<port>``, for ``SMTP_URL``.
* It speaks ESMTP with ``SIZE`` (10 MiB; a larger message gets ``552``), ``8BITMIME`` and
  ``SMTPUTF8``, and offers ``AUTH PLAIN LOGIN`` over the plain connection, accepting any
  credentials: a client configured with ``smtp://user:password@...`` logs in, one without
  credentials sends straight away. It offers no STARTTLS, so neither upgrades.
* Every accepted message is appended to ``received`` as a ``ReceivedMail`` (the envelope
  sender and recipients, the bytes exactly as received, and ``.message`` parsed with the
  ``email`` package), and, when ``directory`` is given, written there as
  ``<UTC timestamp>-<6 hex>.eml`` (a temporary file renamed into place, so a reader never
  sees half a message). ``wait_for(n)`` waits until ``n`` have arrived;
  ``received_for(address)`` picks one recipient's.
* ``announce=True`` prints one line per accepted message to stdout, as ``make run``'s
  console shows it: ``mail: "Subject" to a@b.example (saved .data/mail/<name>.eml)``.

Fault injection and timing, for a sender that must lose nothing and send nothing twice:

* ``refuse(451, "4.3.0 Try again later", times=2)`` answers the next two messages with
  that reply *at the end of DATA* (after the client sent the whole message, where a real
  server refuses for a full disk, a greylist, a spam verdict or a mailbox that does not
  exist), recording nothing; ``times=None`` refuses until ``accept()``. The client sees
  the code (aiosmtplib raises ``SMTPDataError``, an ``SMTPResponseException``).
  Refused messages are counted in ``refusals``.
* ``await stop()`` closes the port and cuts every open connection (a mail server going
  down: clients get "connection refused"); ``await start()`` listens again on the SAME
  port (the server back after a restart).
* ``latency`` seconds pass before each DATA is answered. A client that goes away
  meanwhile (its connection closed or cut by ``stop()``) gets no answer and nothing is
  recorded.
* ``slow_answer`` seconds pass between keeping a message and answering its DATA ``250``: a
  relay that has queued it and is slow to say so (scanning content under load). A client
  that goes away meanwhile does not undo it: the message stays received.

When is a message accepted? When the sink has recorded it and is about to write its
``250``. As with any SMTP server, a connection lost between those two leaves a message
the server has and the client never heard about: the one window a sender's retry can
turn into a duplicate.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import logging
import os
import re
import secrets
import sys
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, Session

MAX_SIZE = 10 * 1024 * 1024
# The names of kept messages: when the sink accepted it (UTC, to the microsecond, so
# names sort by arrival), then a random part for two in the same microsecond.
TIMESTAMP_FORMAT = "%Y%m%dT%H%M%S.%fZ"
EML_NAME = re.compile(r"(?P<stem>(?P<timestamp>\d{8}T\d{6}\.\d{6}Z)-[0-9a-f]{6})\.eml")


def eml_name(at: datetime) -> str:
    """A new file name for a message accepted at ``at`` (UTC)."""
    return f"{at.strftime(TIMESTAMP_FORMAT)}-{secrets.token_hex(3)}.eml"


def kept_at(name: str) -> datetime:
    """When the message in the file ``name`` (an ``EML_NAME``) was accepted."""
    match = EML_NAME.fullmatch(name)
    if match is None:
        raise ValueError(f"{name!r} is not the name of a kept message")
    return datetime.strptime(match["timestamp"], TIMESTAMP_FORMAT).replace(tzinfo=UTC)


class _QuietLoginDeprecation(logging.Filter):
    """aiosmtpd 1.4 logs a deprecation warning of its own on every successful AUTH
    (it sets ``Session.login_data`` itself); that line is not ours to act on."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Session.login_data is deprecated")


logging.getLogger("mail.log").addFilter(_QuietLoginDeprecation())


def _any_credentials(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    """A local sink has nothing to protect: any user name and password log in."""
    return AuthResult(success=True, auth_data=auth_data)


@dataclass(frozen=True)
class ReceivedMail:
    """One accepted message: its envelope, its bytes as received, and where it was kept."""

    sender: str  # MAIL FROM
    recipients: tuple[str, ...]  # RCPT TO, in order
    raw: bytes  # the DATA, exactly as received (without the dot-stuffing)
    received_at: datetime
    path: Path | None = None  # the .eml file, when the sink keeps a directory

    @cached_property
    def message(self) -> EmailMessage:
        """The message parsed with ``email.policy.default`` (headers decoded, ``get_body``;
        bodies keep the wire's CRLF line ends, as the email package leaves them)."""
        parsed = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    @property
    def subject(self) -> str:
        return str(self.message.get("Subject", ""))


class _Handler:
    """aiosmtpd's handler: hands each finished DATA to the sink."""

    def __init__(self, sink: LocalMailSink) -> None:
        self._sink = sink

    # The name is aiosmtpd's: it finds its hooks by name.
    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        return await self._sink._answer(envelope)


class LocalMailSink:
    """An SMTP server on 127.0.0.1 keeping every message; see the module."""

    def __init__(
        self,
        directory: Path | str | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        announce: bool = False,
        latency: float = 0.0,
        slow_answer: float = 0.0,
        max_size: int = MAX_SIZE,
    ) -> None:
        self.directory = Path(directory) if directory is not None else None
        self.host = host
        self.announce = announce
        self.latency = latency
        self.slow_answer = slow_answer
        self.max_size = max_size
        self.received: list[ReceivedMail] = []
        self.refusals = 0
        self._port = port
        self._refusal: tuple[str, int | None] | None = None  # the reply, how many more
        self._server: asyncio.Server | None = None
        self._connections: weakref.WeakSet[SMTP] = weakref.WeakSet()
        self._changed = asyncio.Event()

    # -- lifecycle ------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        """Listen: on the port given (0: a free one) the first time, on that same port after."""
        if self._server is not None:
            raise RuntimeError("the mail sink is already running")
        if self.directory is not None:
            self.directory.mkdir(parents=True, exist_ok=True)
        loop = asyncio.get_running_loop()
        handler = _Handler(self)

        def connection() -> SMTP:
            smtp = SMTP(
                handler,
                data_size_limit=self.max_size,
                enable_SMTPUTF8=True,
                # Not socket.getfqdn(): that can wait on DNS for seconds, per connection.
                hostname="localhost",
                ident="Reachout local mail sink",
                # AUTH over a plain local connection, for clients configured with a password.
                auth_require_tls=False,
                authenticator=_any_credentials,
                loop=loop,
            )
            self._connections.add(smtp)
            return smtp

        # reuse_address: start() after stop() binds the same port at once.
        self._server = await loop.create_server(
            connection, self.host, self._port, reuse_address=True
        )
        self._port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Close the port and cut every open connection, as a mail server going down."""
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        for smtp in list(self._connections):
            transport = smtp.transport
            if isinstance(transport, asyncio.Transport):
                transport.abort()  # a reset, not a goodbye: the server is gone
            elif transport is not None:
                transport.close()
        await server.wait_closed()
        await asyncio.sleep(0)  # let the cut connections' handlers see it

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def port(self) -> int:
        if not self._port:
            raise RuntimeError("the mail sink has not started (use `async with`)")
        return self._port

    @property
    def url(self) -> str:
        """``smtp://127.0.0.1:<port>``: what ``SMTP_URL`` should say."""
        return f"smtp://{self.host}:{self.port}"

    # -- fault injection ------------------------------------------------------------

    def refuse(self, code: int, text: str, times: int | None = None) -> None:
        """Answer the next ``times`` messages (None: every one until ``accept()``) with
        ``code text`` at the end of DATA, keeping nothing."""
        if not 400 <= code <= 599:
            raise ValueError(f"a refusal is a 4xx or 5xx reply, not {code}")
        if times is not None and times < 1:
            raise ValueError(f"times must be at least 1 (or None), not {times}")
        self._refusal = (f"{code} {text}", times)

    def accept(self) -> None:
        """Accept every message again."""
        self._refusal = None

    # -- what arrived ---------------------------------------------------------------

    async def wait_for(self, count: int, timeout: float = 5.0) -> list[ReceivedMail]:  # noqa: ASYNC109
        """Wait until at least ``count`` messages were accepted; returns them all."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(self.received) < count:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(
                    f"expected at least {count} message(s) within {timeout} s,"
                    f" got {len(self.received)}: {self._summary()}"
                )
            changed = self._changed
            try:
                async with asyncio.timeout(remaining):
                    await changed.wait()
            except TimeoutError:
                pass
        return list(self.received)

    def received_for(self, address: str) -> list[ReceivedMail]:
        """The accepted messages with ``address`` among their envelope recipients."""
        wanted = address.casefold()
        return [mail for mail in self.received if wanted in map(str.casefold, mail.recipients)]

    # -- internals ------------------------------------------------------------------

    def _summary(self) -> str:
        arrived = [f"{m.subject!r} to {', '.join(m.recipients)}" for m in self.received[-10:]]
        return f"{'; '.join(arrived) or 'nothing'} ({self.refusals} refused)"

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _answer(self, envelope: Envelope) -> str:
        """The reply to a finished DATA; the message is recorded only when it is 250."""
        if self.latency > 0:
            # A client gone meanwhile cancels this (aiosmtpd cancels its connection's task).
            await asyncio.sleep(self.latency)
        if self._refusal is not None:
            reply, left = self._refusal
            if left is not None:
                self._refusal = (reply, left - 1) if left > 1 else None
            self.refusals += 1
            self._notify()
            return reply

        raw = envelope.original_content or b""
        now = datetime.now(UTC)
        path = None
        if self.directory is not None:
            try:
                # Synchronous on purpose: a message is written and recorded in one step of
                # the loop, so no cancellation can leave a file the sink did not record.
                path = self._keep(raw, now)
            except OSError as error:
                return f"451 4.3.0 Could not keep the message: {error.strerror or error}"
        mail = ReceivedMail(
            sender=envelope.mail_from or "",
            recipients=tuple(envelope.rcpt_tos),
            raw=raw,
            received_at=now,
            path=path,
        )
        self.received.append(mail)
        self._notify()
        if self.announce:
            self._print(mail)
        if self.slow_answer > 0:
            await asyncio.sleep(self.slow_answer)  # kept already: a client gone keeps it
        return "250 2.0.0 OK" + (f": kept as {path.name}" if path else "")

    def _keep(self, raw: bytes, now: datetime) -> Path:
        assert self.directory is not None
        name = eml_name(now)
        path = self.directory / name
        temporary = self.directory / f".{name}.tmp"  # not an EML_NAME: never listed
        with temporary.open("xb") as file:
            file.write(raw)
        os.replace(temporary, path)
        return path

    def _print(self, mail: ReceivedMail) -> None:
        # Control characters from a header never reach the console.
        subject = "".join(c if c.isprintable() else " " for c in mail.subject)
        line = f'mail: "{subject}" to {", ".join(mail.recipients)}'
        if mail.path is not None:
            line += f" (saved {shown_path(mail.path)})"
        print(line, file=sys.stdout, flush=True)


def shown_path(path: Path) -> str:
    """``path`` relative to the working directory when it is under it (``.data/mail/...``)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
