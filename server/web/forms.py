"""Reading what a request submitted: a bounded form, a text field, an id, a JSON body."""

from __future__ import annotations

import json
import unicodedata
from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request

UNREADABLE = "That request could not be read."
# Our scripts send a few levels (a sync action, a push subscription, a passkey credential).
MAX_JSON_DEPTH = 12
# The largest id in PostgreSQL's bigint; ids in forms and query strings are bounded by it.
MAX_ID = 2**63 - 1


async def read_form(request: Request, *, max_files: int = 0) -> FormData:
    """The submitted form. Files only where the handler takes them (``max_files``): a file
    sent anywhere else is refused, rather than spooled to disk for nobody."""
    try:
        form = await request.form(max_files=max_files, max_fields=40)
    except MultiPartException:
        raise HTTPException(400, "The form could not be read. Please try again.") from None
    return form


def text(form: FormData, name: str) -> str:
    """A text field, trimmed; a file sent where text was expected counts as empty."""
    value = form.get(name)
    if value is None or isinstance(value, UploadFile):
        return ""
    return plain(value).strip()


JOINERS = "\u200c\u200d"  # zero-width non-joiner and joiner
BLACK_FLAG = "\U0001f3f4"
TAGS = range(0xE0020, 0xE0080)  # an emoji flag's tag characters (🏴 + "gbsct" + cancel)


def _joins_here(before: str) -> bool:
    """Whether a joiner after ``before`` is part of what was written: an emoji sequence
    (👩🏽‍💻, 🏳️‍🌈) or a script that spells with them (Persian's ZWNJ, Indic conjuncts);
    never after a Latin letter or space, where it only hides, as in "Da\u200dna"."""
    point = ord(before)
    return (
        unicodedata.category(before) in ("So", "Sk")
        or before == "\ufe0f"  # emoji presentation, itself after the emoji
        or 0x1F3FB <= point <= 0x1F3FF  # skin tones
        or 0x0600 <= point <= 0x0DFF  # Arabic, Syriac, Thaana, Indic scripts, Sinhala
        or 0xFB50 <= point <= 0xFDFF
        or 0xFE70 <= point <= 0xFEFF
    )


def plain(value: str) -> str:
    """Text as people may show it to others: NFC, without control characters (but newline
    and tab) and without format characters (Unicode category Cf). NUL and the like never
    belong in a field; a right-to-left override (U+202E) or a zero-width space (U+200B) in a
    name makes it look like someone else's in a roster, a crowd or a notification title.
    Kept: a joiner where writing needs one (``_joins_here``), and a flag's tag characters
    after 🏴. Every form field passes here, so no field can forget it."""
    if value.isprintable():
        # Most fields (an ASCII name, an email) take this way: str.isprintable() is False
        # for every Cc and Cf character (and for newline and tab, which go the long way), so
        # the loop below would keep every character. ASCII is NFC already.
        return value if value.isascii() else unicodedata.normalize("NFC", value)
    return _without_hidden(value)


def _without_hidden(value: str) -> str:
    """``plain`` character by character: what it does when a character may be dropped."""
    kept: list[str] = []
    for ch in value:
        category = unicodedata.category(ch)
        if ch in "\n\t" or category not in ("Cc", "Cf"):
            kept.append(ch)
        elif category == "Cf" and kept:
            before = kept[-1]
            if (ch in JOINERS and _joins_here(before)) or (
                ord(ch) in TAGS and (before == BLACK_FLAG or ord(before) in TAGS)
            ):
                kept.append(ch)
    # Composed after the invisible characters are gone: "e", U+200B, U+0301 becomes "é".
    return unicodedata.normalize("NFC", "".join(kept))


def ascii_digits(typed: str) -> str:
    """The digits in ``typed``, whatever their script, as 0-9: a phone set to Arabic or
    Persian types Arabic-Indic ones. Anything else is left out."""
    return "".join(str(unicodedata.decimal(ch)) for ch in typed if ch.isdecimal())


def an_id(value: str | None) -> int | None:
    """An id from a form field or a query string: ASCII digits PostgreSQL's bigint can hold,
    or None (``str.isdigit`` also says yes to superscripts, which ``int`` refuses, and to
    other scripts' digits, which it reads)."""
    if value is None or not value.isascii() or not value.isdigit() or len(value) > 19:
        return None
    number = int(value)
    return number if number <= MAX_ID else None


async def read_json(request: Request) -> object:
    """A JSON body from our own scripts, or a clear 400 when it cannot be read: not UTF-8,
    not JSON, NaN or Infinity, numbers beyond what a float holds, or nested deeper than
    MAX_JSON_DEPTH (which the parser would otherwise meet as a RecursionError)."""
    body = await request.body()
    brackets = body.count(b"[") + body.count(b"{")
    if brackets > MAX_JSON_DEPTH and _depth(body) > MAX_JSON_DEPTH:
        raise HTTPException(400, UNREADABLE)
    try:
        return json.loads(body, parse_constant=_refuse, parse_float=_finite)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise HTTPException(400, UNREADABLE) from None


def _depth(body: bytes) -> int:
    """How deep brackets nest, outside strings, without parsing (so without recursion)."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return deepest


def _refuse(constant: str) -> Any:
    raise ValueError(f"{constant} is not a number JSON allows")


def _finite(literal: str) -> float:
    number = float(literal)
    if number in (float("inf"), float("-inf")):
        raise ValueError("a number beyond what a float holds")
    return number
