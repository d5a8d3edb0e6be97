"""Every email says it was sent by the app (``Auto-Submitted: auto-generated``, RFC 3834), so an
out-of-office reply does not answer it ("You met" has Dana as its Reply-To); the ones that come
again and again unasked carry a ``List-Id`` (RFC 2919) a reader's filters can sort by. Read in
the raw message as the SMTP sink took it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from server.mail.smtp import MailSender
from tests.mail.test_links_for_another_card import reminder_to_mia
from tests.mailing import leaves_details, running_mail_worker, sent_once


def _headers(raw: bytes) -> list[str]:
    return raw.split(b"\r\n\r\n", 1)[0].decode("ascii").split("\r\n")


def _list_id(app: Any) -> str:
    return f"List-Id: Reachout <reachout.{urlsplit(app.state.settings.base_url).hostname}>"


async def test_you_met_and_a_reminder_are_auto_generated_with_a_list_id(new_phone, pool, mail, app):
    await leaves_details(new_phone)
    met = await sent_once(app, mail)
    assert "Reply-To: Dana Lee <dana@example.com>" in _headers(met.raw)
    mail.received.clear()
    _, reminder = await reminder_to_mia(new_phone, pool, mail, app)
    for sent in (met, reminder):
        headers = _headers(sent.raw)
        assert "Auto-Submitted: auto-generated" in headers
        assert _list_id(app) in headers


async def test_a_digest_and_a_summary_too(mail, app):
    """Composed from the rows the worker claims, and sent to the sink as it sends them."""
    async with running_mail_worker(app, mail) as worker:
        now = datetime.now(UTC)
        row = {
            "account_id": 2,
            "to_address": "mia@example.com",
            "recipient_name": "Mia Chen",
            "created_at": now - timedelta(minutes=1),
            "reminders_by": "email",
            "digest_met": 2,
            "digest_waiting": 0,
            "digest_event_name": "Lunch & Learn",
            "digest_event_id": 1,
            "summary_waiting": 7,
        }
        sender = MailSender(mail.url, "reachout@localhost")
        try:
            for number, kind in enumerate(("digest", "summary"), 1):
                message = worker.composer.compose({**row, "id": number, "kind": kind}, now)
                assert (await sender.send(message, "mia@example.com")).sent
        finally:
            await sender.close()
    for sent in await mail.wait_for(2):
        headers = _headers(sent.raw)
        assert "Auto-Submitted: auto-generated" in headers
        assert _list_id(app) in headers


async def test_a_code_and_a_confirmation_are_auto_generated_but_no_list(new_phone, mail, app):
    dana = await new_phone()
    await dana.make_card()
    await dana.post(dana.url("settings_email_confirm"), {})
    confirmation = await sent_once(app, mail)
    mail.received.clear()
    laptop = await new_phone()
    await laptop.post(laptop.url("sign_in_ask"), {"email": "dana@example.com"})
    code = await sent_once(app, mail)
    assert code.subject.startswith("Your Reachout code")
    for sent in (confirmation, code):
        headers = _headers(sent.raw)
        assert "Auto-Submitted: auto-generated" in headers
        assert not any(line.startswith("List-Id:") for line in headers)
