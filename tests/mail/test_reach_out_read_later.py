"""The reach-out in an email ("You met", a reminder) is read hours or days after it is sent:
its pre-written message says no "today" or "yesterday", which would be wrong by then, but
where we met when we know ("Great to meet you at Lunch & Learn!"). Its plain-text part shows
each way to reach out as a short line a person can read ("Email Dana: dana@example.com"),
and the message itself, not a mailto: or sms: link hundreds of percent-encoded characters
long; the HTML part keeps its buttons, which open the mail or SMS app with the message."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from bs4 import BeautifulSoup

from tests.events.test_routes import attendee, organizer_with_event
from tests.mail.test_links_for_another_card import reminder_to_mia
from tests.mailing import leaves_details, sent_once

LONGEST_LINE = 200


def _button_message(sent: Any, label: str) -> str:
    """The message the HTML part's button ``label`` opens the mail or SMS app with."""
    html = BeautifulSoup(sent.message.get_body(("html",)).get_content(), "html.parser")
    [button] = [a for a in html.select("a.button") if a.get_text() == label]
    href = button["href"]
    if href.startswith("mailto:"):
        return parse_qs(urlsplit(href).query)["body"][0]
    return unquote(href.split("body=", 1)[1])


def _readable_text(sent: Any) -> list[str]:
    """The plain-text part's lines, checked to hold no long reach-out link."""
    text = sent.message.get_body(("plain",)).get_content()
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= LONGEST_LINE, text
    assert "mailto:" not in text and "sms:" not in text
    return lines


def _says_no_day(words: str, opening: str) -> None:
    assert opening in words
    assert "today" not in words and "yesterday" not in words


async def test_you_met_reach_out_is_worded_for_later_and_readable_in_plain_text(
    new_phone, mail, app
):
    await leaves_details(new_phone)
    sent = await sent_once(app, mail)
    for label in ("Email Dana", "Text Dana"):
        _says_no_day(_button_message(sent, label), "Great to meet you!")
    lines = _readable_text(sent)
    assert "Email Dana: dana@example.com" in lines
    assert "Text Dana: +1 415-555-0134" in lines
    # The message itself, to copy: the buttons' links are not in this part.
    assert any(line.startswith("Great to meet you!") for line in lines)
    assert "Let's stay in touch." in lines


async def test_you_met_at_an_event_says_where(new_phone, pool, mail, app):
    _, event_id = await organizer_with_event(new_phone)
    dana = await attendee(new_phone, pool, event_id, "Dana Lee")
    await leaves_details(new_phone, dana)
    sent = await sent_once(app, mail)
    _says_no_day(_button_message(sent, "Email Dana"), "Great to meet you at Lunch & Learn!")
    lines = _readable_text(sent)
    assert "Email Dana: dana@example.com" in lines
    assert any(line.startswith("Great to meet you at Lunch & Learn!") for line in lines)


async def test_a_reminder_reach_out_is_worded_for_later_and_readable_in_plain_text(
    new_phone, pool, mail, app
):
    _, reminder = await reminder_to_mia(new_phone, pool, mail, app)
    for label in ("Email Dana", "Text Dana"):
        _says_no_day(_button_message(reminder, label), "Great to meet you!")
    lines = _readable_text(reminder)
    assert "Email Dana: dana@example.com" in lines
    assert "Text Dana: +1 415-555-0134" in lines
    assert any(line.startswith("Great to meet you!") for line in lines)
    # The app's page for Dana, whose Reach out writes the message too, is still linked.
    assert any(line.startswith("See Dana Lee in Reachout: http") for line in lines)
