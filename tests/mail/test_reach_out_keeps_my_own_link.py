"""The message to start with, which a reminder gives to copy and send, keeps the reader's
own notes as she wrote them: a link she promised ("the slides: https://…") works once sent,
with no invisible mark in it (review r77). What someone else typed in it (their name, what
they look for, the event's name) is still no link in our mail (server/mail/unlinked.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

from bs4 import BeautifulSoup

from tests.mail.test_stranger_text_is_no_link import (
    AUTOLINK,
    MARK,
    as_read,
    composer,
    parts,
)

SLIDES = "https://mia.example.com/slides.pdf"
NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)
ROW = {
    "id": 9,
    "kind": "reminder",
    "account_id": 1,
    "to_address": "mia@example.com",
    "recipient_name": "Mia Chen",
    "created_at": NOW,
    "time_zone": "UTC",
    "reminders_by": "email",
    "followup_id": 3,
    "round": 1,
    "contact_id": 2,
    "contact_name": "paypal-secure-login.com Support",
    "contact_email": "dana@example.com",
    "contact_phone": "+1 415 555 0134",
    "contact_linkedin": "",
    "contact_looking_for": "a job at evil.example.com",
    "met_at": NOW - timedelta(days=2),
    "promised": f"the slides: {SLIDES}",
    "they_asked": "",
    "met_event_name": "bit.ly/x meetup",
}


def message_to_start(plain: str) -> str:
    start = plain.index("A message to start with:")
    return plain[start : plain.index("Let's stay in touch.", start)]


def test_a_link_i_promised_is_whole_in_the_message_to_start_with(app: Any) -> None:
    sent = composer(app).compose(ROW, NOW)
    words = message_to_start(parts(sent)["plain"])
    assert f"As promised: the slides: {SLIDES}." in words, repr(words)
    # Theirs, in the same message, as they read but as no link a mail app would make.
    for typed in ("Hi paypal-secure-login.com,", "at bit.ly/x meetup!", "evil.example.com."):
        assert typed in as_read(words), typed
    strangers = [found for found in AUTOLINK.findall(words) if SLIDES not in found]
    assert not strangers, strangers
    assert words.count(MARK) == 4  # paypal-secure-login.|com, bit.|ly, evil.|example.|com

    # The HTML's buttons open her mail and SMS apps with the message, her link whole in it.
    html = sent.get_payload()[1].get_payload(decode=True).decode()
    hrefs = [a["href"] for a in BeautifulSoup(html, "html.parser").find_all("a")]
    started = [unquote(h) for h in hrefs if h.startswith(("mailto:", "sms:"))]
    assert len(started) == 2
    for href in started:
        assert f"As promised: the slides: {SLIDES}." in href
        assert MARK not in href
