"""What a stranger typed on a card (a name, a headline, a company, what they are looking for)
reaches an email as it reads, but as nothing a mail app makes a link of: a card named "verify
at paypal-secure-login.com/verify" must not put a clickable phishing link in mail from our
domain. The links we chose (buttons, the card's own website) stay links."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.policy import default

from bs4 import BeautifulSoup

from tests.mailing import leaves_details, running_mail_worker, sent_once

# What a mail app's autolinker takes for a link: a URL, an address, or a bare host name (ASCII
# letters, digits and hyphens, dots between) ending in a top-level domain.
AUTOLINK = re.compile(
    r"(?i)(?:https?:/\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?<![\w.])(?:[\w-]+\.)+"
    r"(?:com|net|org|ly|io|co|example)\b\S*)"
)
PHISHY = ("paypal", "bit.ly", "evil")
# The invisible mark that breaks a host name as a mail app reads it (server/mail/unlinked.py).
MARK = "\u200c"
NAME = "Account locked - verify at paypal-secure-login.com/verify"
CARD = {
    "name": NAME,
    "headline": "Call us or visit bit.ly/x",
    "company": "https://evil.example.com/login",
    "looking_for": "Mail support@paypal-secure-login.com now",
    "can_help_with": "www.paypal.com.evil.io",
    "website": "dana.example.com",
}


def as_read(text: str) -> str:
    """The text as a person reads it: the invisible marks gone, one space between words."""
    return " ".join(text.replace(MARK, "").split())


def links_found(text: str) -> list[str]:
    return [found for found in AUTOLINK.findall(text) if any(p in found for p in PHISHY)]


def outside_links(html: str) -> str:
    """The HTML's words that are not in a link of ours already (an autolinker leaves those)."""
    page = BeautifulSoup(html, "html.parser")
    for anchor in page.find_all("a"):
        anchor.decompose()
    return page.get_text(" ")


async def test_you_met_shows_a_strangers_card_as_typed_but_as_no_link(new_phone, mail, app):
    dana = await new_phone()
    await dana.make_card(**CARD)
    await leaves_details(new_phone, dana)
    message = (await sent_once(app, mail)).message

    subject = str(message["Subject"])
    assert not links_found(subject), subject
    # A shorter form: the name cut at a word, whole in the email.
    assert as_read(subject) == "You met Account locked - verify at…"

    text = message.get_body(("plain",)).get_content()
    assert not links_found(text), links_found(text)
    read = as_read(text)
    for said in (
        f"You left your details on {NAME}'s card.",
        "Call us or visit bit.ly/x · https://evil.example.com/login",
        "Looking for: Mail support@paypal-secure-login.com now",
        "Can help with: www.paypal.com.evil.io",
    ):
        assert said in read, said
    # Links we chose stay links: her website, her address, our buttons.
    assert "Website: https://dana.example.com" in text
    assert "Email: dana@example.com" in text
    assert "Remind me tomorrow to follow up: http" in text

    html = message.get_body(("html",)).get_content()
    assert not links_found(outside_links(html)), links_found(outside_links(html))
    page = BeautifulSoup(html, "html.parser")
    assert f"You met {NAME}" == as_read(page.h1.get_text())
    hrefs = [a["href"] for a in page.find_all("a")]
    # (The reach-out buttons' mailto and sms links carry the message to start with, their
    # words in it: it opens the reader's own mail app, to write to her.)
    web = [href for href in hrefs if href.startswith("http")]
    assert not [href for href in web if any(p in href for p in PHISHY)]
    assert any(href.startswith("https://dana.example.com") for href in hrefs)
    assert any(href.startswith("mailto:dana@example.com") for href in hrefs)
    # And no number in her words a "call" link in iOS Mail (hers is a tel: link we wrote).
    assert page.head.find("meta", attrs={"name": "format-detection"})["content"] == "telephone=no"


async def test_a_confirmation_names_the_card_that_asked_as_no_link(new_phone, mail, app):
    stranger = await new_phone()
    await stranger.make_card(
        name="Urgent: verify at paypal-secure-login.com", email="v@example.com"
    )
    await stranger.post(stranger.url("settings_email_confirm"), {})
    async with running_mail_worker(app, mail) as worker:
        await worker.run_once()
    [sent] = await mail.wait_for(1)
    for part in ("plain", "html"):
        body = sent.message.get_body((part,)).get_content()
        shown = body if part == "plain" else outside_links(body)
        assert not links_found(shown), links_found(shown)
        assert 'card "Urgent: verify at paypal-secure-login.com" asked' in as_read(
            shown.replace("“", '"').replace("”", '"')
        )


def composer(app):  # type: ignore[no-untyped-def]
    from server.mail.links import MailLinks
    from server.mail.messages import Composer

    settings = app.state.settings
    links = MailLinks(app.state.urls, settings.base_url, settings.secret_key)
    return Composer(settings.mail_from, links)


def parts(message) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The subject, the plain text and the HTML's words outside our links, as sent."""
    parsed = message_from_bytes(message.as_bytes(), policy=default)
    return {
        "subject": str(parsed["Subject"]),
        "plain": parsed.get_body(("plain",)).get_content(),
        "html": outside_links(parsed.get_body(("html",)).get_content()),
    }


async def test_a_reminder_and_a_digest_name_them_and_the_event_as_no_link(app):
    now = datetime(2026, 12, 7, 12, tzinfo=UTC)
    row = {
        "id": 9,
        "kind": "reminder",
        "account_id": 1,
        "to_address": "mia@example.com",
        "recipient_name": "Mia Chen",
        "created_at": now,
        "time_zone": "UTC",
        "reminders_by": "email",
        "followup_id": 3,
        "round": 1,
        "contact_id": 2,
        "contact_name": NAME,
        "contact_email": "",
        "contact_phone": "",
        "contact_linkedin": "",
        "contact_looking_for": "",
        "met_at": now - timedelta(days=2),
        "promised": "the deck at deck.example.com",
        "they_asked": "",
        "met_event_name": "bit.ly/x meetup",
    }
    reminder = parts(composer(app).compose(row, now))
    for part, text in reminder.items():
        assert not links_found(text), (part, links_found(text))
    assert as_read(reminder["subject"]) == f"Follow up with {NAME}"
    assert "You met at bit.ly/x meetup, on" in as_read(reminder["plain"])
    # Mia's own note: a link she wrote may stay one.
    assert "You promised: the deck at deck.example.com." in reminder["plain"]

    digest = {
        **row,
        "kind": "digest",
        "digest_met": 2,
        "digest_waiting": 1,
        "digest_event_id": 4,
        "digest_event_name": "paypal-secure-login.com/verify",
    }
    sent = parts(composer(app).compose(digest, now))
    for part, text in sent.items():
        assert not links_found(text), (part, links_found(text))
    assert as_read(sent["subject"]) == "You met 2 people at paypal-secure-login.com/verify"
