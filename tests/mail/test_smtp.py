"""What each refusal of our mail server means, over the wire: a bounce only when the reply
says the recipient's mailbox is the trouble; our login, our sender or the server's policy
refused is tried again, never a bounce."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from server.mail.smtp import MailResult, MailSender
from tests.mail.relay import Relay


def message() -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "reachout@localhost"
    mail["To"] = "mia@example.com"
    mail["Subject"] = "You met Dana Lee"
    mail.set_content("Hello")
    return mail


async def sent(relay: Relay) -> MailResult:
    sender = MailSender(relay.url, "reachout@localhost", connections=1)
    try:
        return await sender.send(message(), "mia@example.com")
    finally:
        await sender.close()


def outcome(result: MailResult) -> str:
    assert not result.sent
    if result.bounced:
        assert not result.retryable
        return "bounced"
    return "retried" if result.retryable else "failed"


@pytest.mark.parametrize(
    ("stage", "reply", "expected"),
    [
        # The relay's policy on us, not the address: every address tried would get it.
        ("RCPT", "550 5.7.1 Relaying denied: authentication required", "retried"),
        (
            "RCPT",
            "554 5.7.1 Client host blocked using zen.spamhaus.org",
            "retried",
        ),
        ("RCPT", "552 5.3.4 Too many recipients", "retried"),
        ("RCPT", "554 Transaction failed", "retried"),
        # Postfix checks the sender at RCPT: X.1.7 and X.1.8 are our address.
        (
            "RCPT",
            "553 5.1.8 <reachout@localhost>: Sender address rejected",
            "retried",
        ),
        # ...and a sender it could not verify: our address again, whatever the detail.
        (
            "RCPT",
            "550 5.1.0 <reachout@localhost>: Sender address rejected: undeliverable address",
            "retried",
        ),
        ("MAIL", "530 5.7.0 Must issue a STARTTLS command first", "retried"),
        (
            "MAIL",
            "553 5.7.1 Sender address rejected: not owned by user",
            "retried",
        ),
        ("RCPT", "451 4.3.0 Try again later", "retried"),
        # The mailbox: no more mail to it.
        (
            "RCPT",
            "550 5.1.1 <mia@example.com>: User unknown",
            "bounced",
        ),
        ("RCPT", "550 No such user here", "bounced"),
        ("RCPT", "551 User not local", "bounced"),
        ("RCPT", "553 Mailbox name not allowed", "bounced"),
        ("DATA", "550 5.1.1 The email account that you tried to reach does not exist", "bounced"),
        # This message only.
        ("DATA", "554 5.7.1 Message rejected as spam", "failed"),
        ("DATA", "550 Message refused", "failed"),
        ("DATA", "552 5.2.3 Message size exceeds fixed maximum message size", "failed"),
        # A mailbox full (X.2.2) is "a persistent transient failure" (RFC 3463): it may have
        # room later, so this email is tried again, and the address is not bouncing.
        ("RCPT", "552 5.2.2 Mailbox full", "retried"),
        ("DATA", "552 5.2.2 <mia@example.com>: Mailbox full, over quota", "retried"),
        (
            "RCPT",
            "550 5.1.0 <mia@example.com>: Recipient address rejected: undeliverable address",
            "bounced",
        ),
    ],
)
async def test_a_refusal_is_a_bounce_only_when_it_names_the_mailbox(stage, reply, expected):
    async with Relay() as relay:
        relay.refusals[stage] = reply
        result = await sent(relay)
    assert outcome(result) == expected, result
    assert result.status == int(reply[:3])
    assert reply[4:] in result.error, "the reason is kept"


async def test_a_login_turned_down_is_retried_and_mail_goes_once_it_is_taken():
    async with Relay() as relay:
        relay.login = False
        sender = MailSender(relay.url, "reachout@localhost", connections=1)
        try:
            refused = await sender.send(message(), "mia@example.com")
            assert outcome(refused) == "retried" and refused.status == 535, refused
            relay.login = True
            assert (await sender.send(message(), "mia@example.com")).sent
        finally:
            await sender.close()
        assert relay.recipients == [("mia@example.com",)]


async def test_after_a_policy_refusal_the_same_connection_sends_the_next_email():
    async with Relay() as relay:
        sender = MailSender(relay.url, "reachout@localhost", connections=1)
        try:
            relay.refusals["RCPT"] = "550 5.7.1 Relaying denied"
            assert outcome(await sender.send(message(), "mia@example.com")) == "retried"
            relay.refusals.clear()
            assert (await sender.send(message(), "mia@example.com")).sent
        finally:
            await sender.close()
        assert relay.recipients == [("mia@example.com",)]
