"""A code's plain-text part starts as its subject does, with the code ("1234 5678 is your code
to delete your Reachout account."): a mail app's preview shows the first line of the text
after the subject, and "Your code to delete your Reachout account: 1234…" hid it there."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes
from email.policy import default

import pytest

from server.mail.links import MailLinks
from server.mail.messages import Composer, flatten


@pytest.mark.parametrize(
    ("kind", "to_do"),
    [
        ("delete_code", "delete your Reachout account"),
        ("merge_code", "merge your Reachout account"),
        ("prove_code", "confirm it's you"),
    ],
)
async def test_the_text_starts_with_the_code(app, kind, to_do):
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
    message = message_from_bytes(flatten(composer.compose(row, now)), policy=default)
    text = message.get_body(("plain",)).get_content()
    assert text.splitlines()[0] == f"1234 5678 is your code to {to_do}."
