"""Sending to the mail server at ``SMTP_URL`` with ``aiosmtplib``: a few connections kept open
and reused, and every outcome sorted into sent, try again, or refused for good.

``smtp://`` upgrades with STARTTLS when the server offers it; ``smtps://`` is TLS from the
first byte. A user and password in the URL log in. 4xx replies, a dropped connection and
timeouts are temporary; a 5xx reply to the recipient is a bounce (the address gets no more
mail), as is a 5xx whose enhanced code names the mailbox (5.1.x, 5.2.x) at any stage; any
other 5xx refuses this message only.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from email.message import Message
from urllib.parse import unquote, urlsplit

import aiosmtplib

from server.mail.messages import flatten


@dataclass(frozen=True)
class MailResult:
    status: int  # the SMTP reply code; 0 when there was none (connection, timeout)
    error: str = ""
    bounced: bool = False  # the recipient was refused for good

    @property
    def sent(self) -> bool:
        return 200 <= self.status < 300

    @property
    def retryable(self) -> bool:
        return self.status == 0 or 400 <= self.status < 500


@dataclass
class MailSender:
    url: str
    sender: str  # the envelope sender: MAIL_FROM's address
    connections: int = 4
    timeout: float = 30.0
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
        self, message: Message, recipient: str, *, time_limit: float | None = None
    ) -> MailResult:
        """Send ``message`` to the envelope ``recipient`` (the address in its ``To``)."""
        client = await self._idle.get()
        try:
            async with asyncio.timeout(time_limit or self.timeout):
                if not client.is_connected:
                    await client.connect()
                # Flattened here, with the message's own policy (aiosmtplib's would refold
                # its headers at 78 characters).
                raw = flatten(message)
                # The transaction as its three commands rather than sendmail(), which parses
                # both addresses once more and normalises the whole message's line endings
                # again only to count its size (flatten wrote CRLF already).
                size = [f"size={len(raw)}"] if client.supports_extension("size") else []
                await client.mail(self.sender, options=size)
                try:
                    await client.rcpt(recipient)
                except aiosmtplib.SMTPRecipientRefused as refused:
                    await _reset(client)
                    said = _said(refused.message)
                    return MailResult(refused.code, said, bounced=refused.code >= 500)
                await client.data(raw)
            return MailResult(250)
        except aiosmtplib.SMTPResponseException as error:
            await _reset(client)
            said = _said(error.message)
            # Some servers refuse a mailbox only at the end of DATA; the enhanced status
            # code (RFC 3463) still says it is the address: 5.1.x bad mailbox, 5.2.x its state.
            bounced = error.code >= 500 and said.startswith(("5.1.", "5.2."))
            return MailResult(error.code if error.code >= 400 else 0, said, bounced=bounced)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            client.close()  # a fresh connection next time
            return MailResult(0, f"{type(error).__name__}: {error}"[:200])
        finally:
            self._idle.put_nowait(client)

    async def close(self) -> None:
        while not self._idle.empty():
            client = self._idle.get_nowait()
            if client.is_connected:
                with contextlib.suppress(aiosmtplib.SMTPException, OSError, TimeoutError):
                    await client.quit()


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
