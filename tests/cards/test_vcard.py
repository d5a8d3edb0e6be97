"""vCard 3.0 output, checked by parsing it back with vobject."""

from __future__ import annotations

import vobject

from server.cards import vcard


def test_special_characters_and_long_unicode_lines_round_trip():
    card = {
        "name": "Zoë Ångström-Łukasiewicz",
        "company": "Café; Bar, and \\ Grill",
        "headline": "Directrice artistique — mode et prêt-à-porter " * 3,
        "email": "zoe@example.com",
        "phone": "+33612345678",
        "linkedin": "https://www.linkedin.com/in/zoe",
        "website": "",
        "other_link": "https://example.com/a,b;c",
    }
    text = vcard.build(card, note="Met at Lunch & Learn\nAsked about: recruiters; intros")
    assert text.endswith("\r\n")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    parsed = vobject.readOne(text)
    assert parsed.fn.value == card["name"]
    assert parsed.n.value.family == "Ångström-Łukasiewicz"
    assert parsed.n.value.given == "Zoë"
    assert parsed.org.value == ["Café; Bar, and \\ Grill"]
    assert parsed.title.value == card["headline"]
    assert parsed.note.value == "Met at Lunch & Learn\nAsked about: recruiters; intros"
    assert parsed.tel.value == "+33612345678"


def test_single_word_name_and_no_optional_fields():
    parsed = vobject.readOne(vcard.build({"name": "Prince"}, note=""))
    assert parsed.fn.value == "Prince"
    assert "email" not in parsed.contents


def test_filename_is_safe():
    assert vcard.filename('Dana "Lee"/../x') == "Dana Lee..x.vcf"
    assert vcard.filename("李小龍") == "李小龍.vcf"
    assert vcard.filename("///") == "contact.vcf"


def test_long_ascii_lines_fold_at_75_octets_and_unfold_to_themselves():
    for length in (0, 1, 74, 75, 76, 149, 150, 151, 40_000):
        line = "".join(chr(33 + i % 90) for i in range(length))
        folded = vcard.fold(line)
        pieces = folded.split("\r\n")
        assert all(len(piece) <= 75 for piece in pieces)
        assert all(piece.startswith(" ") for piece in pieces[1:])
        assert all(len(piece) == 75 for piece in pieces[:-1])
        assert folded.replace("\r\n ", "") == line
