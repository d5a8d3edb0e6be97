"""A code's subject, and its plain-text part's first line, start with the code: a phone's
notification shows a subject's first 30 to 40 characters and a mail app's preview the first
line of the text after it, and "Your code to delete your Reachout account: 1234…" hid it
there. The tests that sign in, delete and merge with a code read it off the start (their
``*_SUBJECT``)."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes
from email.message import Message
from email.policy import default

import pytest

from server.mail.links import MailLinks
from server.mail.messages import Composer, flatten

KINDS = pytest.mark.parametrize(
    ("kind", "to_do"),
    [
        ("delete_code", "delete your Reachout account"),
        ("merge_code", "merge your Reachout account"),
        ("prove_code", "confirm it's you"),
    ],
)


def code_email(app, kind: str) -> Message:
    settings = app.state.settings
    composer = Composer(
        settings.mail_from, MailLinks(app.state.urls, settings.base_url, settings.secret_key)
    )
    now = datetime.now(UTC)
    row = {
        "id": 7,
        "kind": kind,
        "account_id": 1,
        "code": "12345678",
        "to_address": "dana@example.com",
        "recipient_name": "Dana Lee",
        "created_at": now,
    }
    return composer.compose(row, now)


@KINDS
async def test_the_code_comes_first(app, kind, to_do):
    message = code_email(app, kind)
    assert message["Subject"] == f"12345678 is your code to {to_do}"


@KINDS
async def test_the_text_starts_with_the_code(app, kind, to_do):
    message = message_from_bytes(flatten(code_email(app, kind)), policy=default)
    text = message.get_body(("plain",)).get_content()
    assert text.splitlines()[0] == f"1234 5678 is your code to {to_do}."
