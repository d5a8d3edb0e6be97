"""Each email as a mail client sees it: parts, headers built by the email package, the vCard,
and names that cannot inject a header."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes
from email.policy import default

import vobject

from tests.mailing import leaves_details, running_mail_worker, sent_once


async def test_you_met_is_a_complete_message(new_phone, mail, app):
    await leaves_details(new_phone)
    sent = await sent_once(app, mail)
    message = message_from_bytes(sent.raw, policy=default)
    assert message["Subject"] == "You met Dana Lee"
    assert message["To"].addresses[0].display_name == "Mia Chen"
    assert message["To"].addresses[0].addr_spec == "mia@example.com"
    assert message["From"].addresses[0].addr_spec == "reachout@localhost"
    assert message["Reply-To"].addresses[0].addr_spec == "dana@example.com", "a reply goes to Dana"
    assert message["Message-ID"].startswith("<") and message["Message-ID"].endswith("@localhost>")
    assert message["Date"].datetime.tzinfo is not None
    unsubscribe = message["List-Unsubscribe"]
    base_url = app.state.settings.base_url
    assert unsubscribe.startswith(f"<{base_url}/m/unsubscribe?") and unsubscribe.endswith(">")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # On the wire too: one plain line with the URL (an encoded word would hide the link).
    assert f"\r\nList-Unsubscribe: <{base_url}/m/unsubscribe?".encode() in sent.raw

    text = message.get_body(("plain",)).get_content()
    assert "Dana Lee" in text and "Remind me tomorrow to follow up: http" in text
    # Her number as her card page shows it, not as it is stored (+14155550134).
    assert "Phone: +1 415-555-0134" in text
    assert 'another "You met" can come if the address is left again' in text
    assert "Reply to this email to write to Dana Lee." in text
    html = message.get_body(("html",)).get_content()
    assert 'style="' in html, "CSS inlined for clients that drop <style>"
    assert "prefers-color-scheme: dark" in html, "and kept for dark mode"
    assert "<img" not in html, "nothing needs images"
    assert "Remind me tomorrow to follow up" in html

    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/vcard"
    assert attachment.get_filename() == "Dana Lee.vcf"
    card = vobject.readOne(attachment.get_content())
    assert card.fn.value == "Dana Lee"
    assert card.email.value == "dana@example.com"


async def test_you_met_shows_what_they_are_looking_for_and_can_help_with(new_phone, mail, app):
    """ "Here is their card": the whole of it, give and get included, as her card page shows."""
    dana = await new_phone()
    await dana.make_card(
        looking_for="A designer for my shop",
        can_help_with="Intros to buyers",
        linkedin="danalee",
    )
    await leaves_details(new_phone, dana)
    sent = await sent_once(app, mail)
    text = sent.message.get_body(("plain",)).get_content()
    assert "Looking for: A designer for my shop" in text
    assert "Can help with: Intros to buyers" in text
    # Her LinkedIn once on the card, and once as a way to reach out, each said apart.
    lines = text.splitlines()
    assert lines.count("LinkedIn: https://www.linkedin.com/in/danalee") == 1
    assert "Message Dana on LinkedIn: https://www.linkedin.com/in/danalee" in lines
    html = sent.message.get_body(("html",)).get_content()
    assert "Looking for: A designer for my shop" in html
    assert "Can help with: Intros to buyers" in html


async def test_you_met_without_their_email_says_a_reply_reaches_nobody(new_phone, mail, app):
    """Dana shares a phone number and no email: Mia's reply would go to Reachout's sender."""
    dana = await new_phone()
    await dana.make_card(email="")
    await leaves_details(new_phone, dana)
    sent = await sent_once(app, mail)
    assert sent.message["Reply-To"] is None
    said = (
        "Dana Lee shares no email address, so a reply to this email reaches nobody:"
        " use their details above."
    )
    for part in ("plain", "html"):
        body = " ".join(sent.message.get_body((part,)).get_content().split())
        assert said in body
        assert "Reply to this email" not in body
    assert "Phone: +1 415-555-0134" in sent.message.get_body(("plain",)).get_content()


async def test_a_name_with_crlf_and_accents_is_encoded_never_injected(app, mail):
    """A name can carry anything a form lets through; the header stays one header."""
    from server.mail.links import MailLinks
    from server.mail.messages import Composer

    settings = app.state.settings
    composer = Composer(
        settings.mail_from, MailLinks(app.state.urls, settings.base_url, settings.secret_key)
    )
    row = {
        "id": 7,
        "kind": "confirm",
        "to_address": "zoe@example.com",
        "recipient_name": "Zoë\r\nBcc: victim@example.com",
        "created_at": datetime(2026, 12, 1, tzinfo=UTC),
        "unsubscribed_at": None,
        "bounced_at": None,
    }
    raw = composer.compose(row, datetime.now(UTC)).as_bytes()
    assert b"\r\nBcc:" not in raw
    parsed = message_from_bytes(raw, policy=default)
    assert parsed["Bcc"] is None
    assert parsed["To"].addresses[0].display_name == "Zoë Bcc: victim@example.com"
    assert parsed["To"].addresses[0].addr_spec == "zoe@example.com"
    assert b"=?utf-8?" in raw.split(b"\r\n\r\n", 1)[0], "non-ASCII encoded (RFC 2047)"
    # Any card carrying an address can ask for one: it can be unsubscribed from, but it is
    # no list (each was asked for).
    assert parsed["List-Unsubscribe"].startswith("<http")
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "List-Id" not in parsed


async def test_you_met_says_where_when_it_was_at_an_event(new_phone, pool, mail, app):
    from tests.events.test_routes import attendee, organizer_with_event

    _, event_id = await organizer_with_event(new_phone)
    dana = await attendee(new_phone, pool, event_id, "Dana Lee")
    await leaves_details(new_phone, dana)
    sent = await sent_once(app, mail)
    text = sent.message.get_body(("plain",)).get_content()
    assert "You left your details on Dana Lee's card at Lunch & Learn." in text


async def test_a_code_sent_late_says_the_minutes_it_has_left(new_phone, pool, mail, app):
    """Dana asks for a sign-in code; the mail server asks us to try later, and the retry goes
    six minutes on: her email says the 4 minutes the code has left (and it still works), not
    the 10 the first try would have said."""
    dana = await new_phone()
    await dana.make_card()
    laptop = await new_phone()
    mail.refuse(451, "4.3.0 Try again later", times=1)
    await laptop.post(laptop.url("sign_in_ask"), {"email": "dana@example.com"})
    async with running_mail_worker(app, mail) as worker:
        await worker.run_once()
        assert mail.received == [], "refused: to be retried"
        await pool.execute(
            "UPDATE sign_in_codes SET created_at = created_at - interval '6 min',"
            " expires_at = expires_at - interval '6 min';"
            " UPDATE emails SET created_at = created_at - interval '6 min', next_attempt_at = now()"
        )
        await worker.run_once()
    [sent] = await mail.wait_for(1)
    for part in ("plain", "html"):
        body = " ".join(sent.message.get_body((part,)).get_content().split())
        assert "It works for the next 4 minutes, once." in body
    code = sent.subject.rsplit(" ", 1)[-1]
    signed = await laptop.post(
        laptop.url("sign_in_code"), {"email": "dana@example.com", "code": code}
    )
    assert signed.status_code == 303


async def test_a_code_sent_at_once_says_ten_minutes(new_phone, mail, app):
    dana = await new_phone()
    await dana.make_card()
    await (await new_phone()).post(dana.url("sign_in_ask"), {"email": "dana@example.com"})
    sent = await sent_once(app, mail)
    text = sent.message.get_body(("plain",)).get_content()
    assert "It works for the next 10 minutes, once." in text
