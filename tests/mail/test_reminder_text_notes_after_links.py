"""A reminder email's plain text: its message to start with ("A message to start with:") says
what she promised ("As promised: …"). It came right after the reach-out links, before Done,
Snooze and See, so high in the email that a phone's lock screen could show it. Now it comes
after every link and her notes, as the HTML part keeps what she promised below its buttons;
the "You met" email still gives it after its reach-out links, before "Remind me tomorrow"."""

from __future__ import annotations

from tests.mail.test_reminder_notes_after_links import ASKED, PROMISED, noted_reminder_email
from tests.mailing import leaves_details, sent_once

MESSAGE_PROMISES = "As promised: an intro to Sam."


def plain_lines(sent) -> list[str]:  # type: ignore[no-untyped-def]
    return sent.message.get_body(("plain",)).get_content().splitlines()


async def test_the_message_saying_what_she_promised_comes_after_every_link(
    new_phone, pool, mail, app
):
    lines = plain_lines(await noted_reminder_email(new_phone, pool, mail, app))
    email = lines.index("Email Dana: dana@example.com")
    links = [
        next(i for i, line in enumerate(lines) if line.startswith(start))
        for start in ("Done: http", "Snooze a week: http", "See Dana Lee in Reachout: http")
    ]
    message = lines.index("A message to start with:")
    promise = lines.index(MESSAGE_PROMISES)
    assert email < min(links) and max(links) < lines.index(PROMISED) < lines.index(ASKED)
    assert lines.index(ASKED) < message < promise
    # The message whole, to copy, a blank line either side, then the footer.
    assert lines[message - 1] == "" and lines[message + 1 : message + 3] == ["", "Hi Dana,"]
    assert lines[promise + 1 : promise + 5] == ["", "Let's stay in touch.", "Mia", ""]
    assert "Change how reminders come: http" in lines[promise + 5]


async def test_you_met_still_gives_the_message_after_its_links(new_phone, mail, app):
    await leaves_details(new_phone)
    lines = plain_lines(await sent_once(app, mail))
    email = next(i for i, line in enumerate(lines) if line.startswith("Email Dana: "))
    message = lines.index("A message to start with:")
    remind = next(i for i, line in enumerate(lines) if line.startswith("Remind me tomorrow"))
    assert email < message < remind
    assert lines[email - 1] == "" and lines[message - 1] == ""
    assert lines[message + 1 : message + 3] == ["", "Hi Dana,"]
    assert lines[remind - 3 : remind] == ["Let's stay in touch.", "Mia", ""]
