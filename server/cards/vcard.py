"""vCard 3.0 files that iOS and Android contacts apps both import (RFC 2426)."""

from __future__ import annotations

import base64
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
    """(family, given) of a name typed as one: the last word is the family name."""
    words = full_name.split()
    if len(words) < 2:
        return full_name, ""
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


def filename(name: str) -> str:
    safe = "".join(ch for ch in name if ch.isalnum() or ch in " -_.").strip() or "contact"
    return f"{safe[:60]}.vcf"


def ascii_filename(name: str) -> str:
    """``name`` (a ``filename``) in ASCII, for a ``filename=`` beside ``filename*=``: what is
    left of it, or "contact.vcf" when no letter is (a name in another script)."""
    ascii_name = name.encode("ascii", "ignore").decode().strip()
    return "contact.vcf" if ascii_name.startswith(".") else ascii_name


def response(card: Mapping[str, Any], *, note: str, photo_jpeg: bytes | None) -> Response:
    """A download that both phones hand to their contacts app."""
    name = filename(card["name"])
    ascii_name = ascii_filename(name)
    return Response(
        build(card, note=note, photo_jpeg=photo_jpeg).encode(),
        media_type="text/vcard; charset=utf-8",
        headers={
            # attachment: Android Chrome saves the file and offers to open it in Contacts;
            # iOS Safari shows its "Create New Contact" sheet for text/vcard either way.
            "content-disposition": (
                f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
            ),
            "cache-control": "private, no-store",
        },
    )
