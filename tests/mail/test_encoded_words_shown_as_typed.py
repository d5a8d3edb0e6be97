"""A name or subject that looks like an RFC 2047 encoded word is encoded itself, so a mail
client shows it as typed: decoding "=?utf-8?b?4oCuZXZpbA==?=" would give a right-to-left
override (U+202E), which the card form removes from what is typed."""

from __future__ import annotations

from tests.mailing import leaves_details, sent_once

RLO = "=?utf-8?b?4oCuZXZpbA==?="  # U+202E then "evil", once a client decodes it


async def test_a_name_that_looks_encoded_shows_as_typed(new_phone, mail, app):
    mallory = await new_phone()
    await mallory.make_card(name=f"Bob {RLO}", email="bob@example.com")
    await leaves_details(new_phone, mallory, name=RLO)
    message = (await sent_once(app, mail)).message
    assert message["Subject"] == f"You met Bob {RLO}"
    assert message["To"].addresses[0].display_name == RLO
    assert message["To"].addresses[0].addr_spec == "mia@example.com"
    assert message["Reply-To"].addresses[0].display_name == f"Bob {RLO}"
    assert message["Reply-To"].addresses[0].addr_spec == "bob@example.com"
    assert "\u202e" not in str(message["Subject"]) + str(message["To"]) + str(message["Reply-To"])
