"""A long name in another script reaches the header as several RFC 2047 encoded words, none
over the 75 characters a word may have (one longer word is invalid, and a client may show it
raw), which a reader joins into the name as typed. The vCard's file name keeps an ASCII
``filename`` beside its UTF-8 ``filename*`` for a client that reads only the first.

Read with ``email.header.decode_header``, which joins adjacent words as RFC 2047 section 6.2
says: Python 3.11's newer parser (``policy.default``) puts a space between the words of a
display name, whoever split them (its own folding too)."""

from __future__ import annotations

import re
from email.header import decode_header, make_header
from email.utils import parseaddr

from tests.mailing import leaves_details, sent_once

# 82 characters, 159 bytes in UTF-8: one encoded word would be 224 characters long.
LONG = ("Анастасия Владимировна Константинопольская-Преображенская " * 2)[:82]
ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")


def header_lines(raw: bytes) -> dict[str, str]:
    """Each header of the raw message as it came, its folded lines unfolded."""
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    unfolded = re.sub(r"\r\n(?=[ \t])", "", head)
    return dict(line.split(": ", 1) for line in unfolded.split("\r\n"))


async def test_a_long_name_in_cyrillic_folds_into_valid_encoded_words(new_phone, mail, app):
    assert len(LONG) == 82
    dana = await new_phone()
    await dana.make_card(name=LONG)
    await leaves_details(new_phone, dana, name=LONG)
    sent = await sent_once(app, mail)
    headers = header_lines(sent.raw)
    for name, address in (("To", "mia@example.com"), ("Reply-To", "dana@example.com")):
        words = ENCODED_WORD.findall(headers[name])
        assert len(words) > 1, headers[name]
        assert all(len(word) <= 75 for word in words), [len(word) for word in words]
        assert parseaddr(str(make_header(decode_header(headers[name])))) == (LONG, address)
    # The subject gives the name's first 40 characters at most, cut at a word (the email
    # gives it whole): still more than one encoded word.
    subject = headers["Subject"]
    assert len(ENCODED_WORD.findall(subject)) > 1, subject
    assert all(len(word) <= 75 for word in ENCODED_WORD.findall(subject))
    assert str(make_header(decode_header(subject))) == "You met Анастасия Владимировна…"
    assert sent.message["Subject"] == "You met Анастасия Владимировна…"
    assert LONG in sent.message.get_body(("plain",)).get_content()


async def test_the_vcard_of_a_name_in_cyrillic_has_an_ascii_filename_too(new_phone, mail, app):
    dana = await new_phone()
    await dana.make_card(name="Анна Петрова")
    await leaves_details(new_phone, dana)
    raw = (await sent_once(app, mail)).raw
    [disposition] = re.findall(rb"\r\nContent-Disposition: ([^\r]*)\r\n", raw)
    assert disposition == (
        b"attachment; filename=\"contact.vcf\"; filename*=UTF-8''%D0%90%D0%BD%D0%BD%D0%B0%20"
        b"%D0%9F%D0%B5%D1%82%D1%80%D0%BE%D0%B2%D0%B0.vcf"
    )
