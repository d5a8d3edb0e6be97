"""Our mail server in a test, refusing where a real relay does and the local sink cannot: at
the login, at MAIL FROM, at RCPT (and at the end of DATA)."""

from __future__ import annotations

import asyncio
import email
from email.message import EmailMessage
from email.policy import default
from types import TracebackType
from typing import Any, Self

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, Session


class Relay:
    """An SMTP server on 127.0.0.1 that takes every message, until told to refuse: ``login``
        False turns every login down (535), ``refusals["MAIL" | "RCPT" | "DATA"]`` is the reply
        to that command. ``url`` logs in; what it takes is in ``received`` (parsed) and
    ``recipients`` (each message's envelope recipients)."""

    def __init__(self) -> None:
        self.login = True
        self.refusals: dict[str, str] = {}
        self.received: list[EmailMessage] = []
        self.recipients: list[tuple[str, ...]] = []
        self._server: asyncio.Server | None = None
        self._port = 0

    async def __aenter__(self) -> Self:
        loop = asyncio.get_running_loop()

        def connection() -> SMTP:
            return SMTP(
                self,
                hostname="localhost",
                auth_require_tls=False,
                authenticator=self._authenticate,
                loop=loop,
            )

        self._server = await loop.create_server(connection, "127.0.0.1", 0)
        self._port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    @property
    def url(self) -> str:
        return f"smtp://reachout:secret@127.0.0.1:{self._port}"

    def _authenticate(self, *args: Any) -> AuthResult:
        # Not handled: aiosmtpd answers a refusal with its own 535 5.7.8.
        return AuthResult(success=self.login, handled=False)

    # aiosmtpd finds its hooks by these names.
    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if "MAIL" in self.refusals:
            return self.refusals["MAIL"]
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if "RCPT" in self.refusals:
            return self.refusals["RCPT"]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if "DATA" in self.refusals:
            return self.refusals["DATA"]
        message = email.message_from_bytes(envelope.original_content or b"", policy=default)
        assert isinstance(message, EmailMessage)
        self.received.append(message)
        self.recipients.append(tuple(envelope.rcpt_tos))
        return "250 2.0.0 OK"
