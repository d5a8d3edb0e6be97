"""The digest email after an event where everyone met is followed up already ("All followed
up. The list of people stays open for 30 days."): its button is "See who was there", to the
event's people, as when nobody was met, not "See who to follow up" to the event's follow-ups,
which would say "Nobody from Lunch to follow up with right now". With people to follow up, the
button is still "See who to follow up". Each link is marked for the account it was sent to."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.policy import default
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

from server.mail import links
from server.mail.links import MailLinks
from server.mail.messages import Composer, flatten


@pytest.mark.parametrize(
    ("met", "waiting", "said", "button", "page", "event"),
    [
        (2, 0, "All followed up.", "See who was there", "people", None),
        (2, 3, "3 people to follow up.", "See who to follow up", "followups", ["3"]),
        (0, 0, "The list of people stays open", "See who was there", "people", None),
    ],
)
async def test_the_digest_button_opens_a_list_with_someone_in_it(
    app, met, waiting, said, button, page, event
):
    settings = app.state.settings
    composer = Composer(
        settings.mail_from, MailLinks(app.state.urls, settings.base_url, settings.secret_key)
    )
    now = datetime.now(UTC)
    row = {
        "id": 1,
        "kind": "digest",
        "account_id": 7,
        "to_address": "mia@example.com",
        "recipient_name": "Mia Chen",
        "created_at": now - timedelta(minutes=1),
        "reminders_by": "email",
        "digest_met": met,
        "digest_waiting": waiting,
        "digest_event_name": "Lunch",
        "digest_event_id": 3,
    }
    message = message_from_bytes(flatten(composer.compose(row, now)), policy=default)
    html = BeautifulSoup(message.get_body(("html",)).get_content(), "html.parser")
    assert said in html.get_text(" ")
    [link] = html.select("a.button")
    assert link.get_text() == button
    url = urlsplit(link["href"])
    wanted = {
        "people": app.state.urls.path("event_people", event_id=3),
        "followups": app.state.urls.path("followups"),
    }
    assert url.path == wanted[page]
    query = parse_qs(url.query)
    assert query.get("event") == event
    assert query["from"] == ["email"]
    assert query["for"] == [links.for_mark(settings.secret_key, 7)]
    text = message.get_body(("plain",)).get_content()
    assert f"{button}: {link['href']}" in text.splitlines()
