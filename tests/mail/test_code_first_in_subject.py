"""A code's subject starts with the code: a phone's notification shows a subject's first 30 to
40 characters, and "Your code to delete your Reachout account: 1234…" hid it there. The
tests that sign in, delete and merge with a code read it off the start (their ``*_SUBJECT``)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from server.mail.links import MailLinks
from server.mail.messages import Composer


@pytest.mark.parametrize(
    ("kind", "to_do"),
    [
        ("delete_code", "delete your Reachout account"),
        ("merge_code", "merge your Reachout account"),
        ("prove_code", "confirm it's you"),
    ],
)
async def test_the_code_comes_first(app, kind, to_do):
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
    message = composer.compose(row, now)
    assert message["Subject"] == f"12345678 is your code to {to_do}"
