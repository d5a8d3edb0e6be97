"""vCard 3.0 files that iOS and Android contacts apps both import (RFC 2426)."""

from __future__ import annotations

import base64
import unicodedata
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from starlette.responses import Response

from server.cards import web_links


def escape(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace("\r\n", "\n")
        .replace("\n", "\\n")
        .replace(",", "\\,")
        .replace(";", "\\;")
    )


def fold(line: str) -> str:
    """Fold at 75 octets, never inside a UTF-8 character (RFC 2425 section 5.8.1)."""
    if line.isascii():
        # One octet a character: slices, not a loop over each character (a photo's base64
        # line is tens of thousands of them, and an export folds thousands of cards).
        rest = [line[start : start + 74] for start in range(75, len(line), 74)]
        return "\r\n ".join([line[:75], *rest])
    out: list[str] = []
    current = b""
    limit = 75
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > limit:
            out.append(current.decode())
            current = b" "
            limit = 75
        current += encoded
    out.append(current.decode())
    return "\r\n".join(out)


def name_parts(full_name: str) -> tuple[str, str]:
    """(family, given) of a name typed as one: the last of several words is the family name.
    One word is a given name, as iOS and Google Contacts file a name typed alone, so a phone
    does not list "Bob" as a surname; so is a name written without spaces ("王芳"), kept
    whole, since where its family name ends cannot be told."""
    words = full_name.split()
    if len(words) < 2:
        return "", " ".join(words)
    return words[-1], " ".join(words[:-1])


def build(card: Mapping[str, Any], *, note: str = "", photo_jpeg: bytes | None = None) -> str:
    family, given = name_parts(card["name"])
    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        f"N:{escape(family)};{escape(given)};;;",
        f"FN:{escape(card['name'])}",
    ]
    if card.get("company"):
        lines.append(f"ORG:{escape(card['company'])}")
    if card.get("headline"):
        lines.append(f"TITLE:{escape(card['headline'])}")
    if card.get("email"):
        lines.append(f"EMAIL;TYPE=INTERNET:{escape(card['email'])}")
    if card.get("phone"):
        lines.append(f"TEL;TYPE=CELL:{escape(card['phone'])}")
    item = 0
    for key, label in (("linkedin", "LinkedIn"), ("website", "Website"), ("other_link", "Link")):
        # Read again as a browser would: URIs are not escaped in 3.0, and a row saved before
        # today's rules may hold a link that opens another site than it names.
        link = web_links.shown(card.get(key) or "", linkedin=key == "linkedin")
        if link is not None:
            item += 1
            # iOS shows the label given by X-ABLabel.
            lines.append(f"item{item}.URL:{link.href}")
            lines.append(f"item{item}.X-ABLabel:{label}")
    if note:
        lines.append(f"NOTE:{escape(note)}")
    if photo_jpeg:
        encoded = base64.b64encode(photo_jpeg).decode()
        lines.append(f"PHOTO;ENCODING=b;TYPE=JPEG:{encoded}")
    lines.append("END:VCARD")
    return "\r\n".join(fold(line) for line in lines) + "\r\n"


# Latin letters that NFKD leaves whole, and how they are spelt without their stroke or ligature.
PLAIN_LETTERS = str.maketrans(
    {
        "ß": "ss",
        "ẞ": "SS",
        "Æ": "AE",
        "æ": "ae",
        "Œ": "OE",
        "œ": "oe",
        "Ø": "O",
        "ø": "o",
        "Ł": "L",
        "ł": "l",
        "Đ": "D",
        "đ": "d",
        "Ð": "D",
        "ð": "d",
        "Þ": "Th",
        "þ": "th",
        "Ħ": "H",
        "ħ": "h",
        "\u0131": "i",  # dotless i (Turkish)
    }
)


def _safe(text: str) -> str:
    """Letters, digits, spaces and - _ . of ``text``, spaces single: nothing a file name or
    its quoted header parameter could break on."""
    kept = (ch if ch.isalnum() or ch in "-_." else " " if ch.isspace() else "" for ch in text)
    return " ".join("".join(kept).split())


def filename(name: str) -> str:
    return f"{_safe(name)[:60].strip() or 'contact'}.vcf"


def ascii_filename(name: str) -> str:
    """``name`` (a ``filename``) in ASCII, for a ``filename=`` beside ``filename*=``: accents
    folded to their letters ("Ñúñez" is "Nunez"), what cannot be folded dropped, or
    "contact.vcf" when no letter or digit is left (a name in another script)."""
    folded = unicodedata.normalize("NFKD", name.translate(PLAIN_LETTERS))
    # Combining marks are not ASCII, and NFKD can make ASCII a file name must not hold
    # ("℅" is "c/o"): both go with the filter.
    ascii_name = _safe("".join(ch for ch in folded if ch.isascii()))
    stem = ascii_name.removesuffix(".vcf")
    return ascii_name if any(ch.isalnum() for ch in stem) else "contact.vcf"


def disposition(name: str) -> str:
    """``Content-Disposition`` of the vCard of someone named ``name``, downloaded or attached
    to an email: the file name in UTF-8 (``filename*``, RFC 2231 and RFC 6266) when it is not
    ASCII, after an ASCII ``filename`` for an app that reads only that one."""
    utf8_name = filename(name)
    if utf8_name.isascii():
        return f'attachment; filename="{utf8_name}"'
    ascii_name = ascii_filename(utf8_name)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(utf8_name)}"


def response(card: Mapping[str, Any], *, note: str, photo_jpeg: bytes | None) -> Response:
    """A download that both phones hand to their contacts app."""
    return Response(
        build(card, note=note, photo_jpeg=photo_jpeg).encode(),
        media_type="text/vcard; charset=utf-8",
        headers={
            # attachment: Android Chrome saves the file and offers to open it in Contacts;
            # iOS Safari shows its "Create New Contact" sheet for text/vcard either way.
            "content-disposition": disposition(card["name"]),
            "cache-control": "private, no-store",
        },
    )
