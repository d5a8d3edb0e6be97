"""Reading what a request submitted: a bounded form, a text field, a JSON body."""

from __future__ import annotations

import json
import unicodedata

from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request


async def read_form(request: Request) -> FormData:
    try:
        form = await request.form(max_files=1, max_fields=40)
    except MultiPartException:
        raise HTTPException(400, "The form could not be read. Please try again.") from None
    return form


def text(form: FormData, name: str) -> str:
    """A text field, trimmed; a file sent where text was expected counts as empty."""
    value = form.get(name)
    if value is None or isinstance(value, UploadFile):
        return ""
    return plain(value).strip()


def plain(value: str) -> str:
    """Text as people may show it to others: NFC, without control characters (but newline
    and tab) and without format characters (Unicode category Cf). NUL and the like never
    belong in a field; a right-to-left override (U+202E) or a zero-width space (U+200B) in a
    name makes it look like someone else's in a roster, a crowd or a notification title.
    Every form field passes here, so no field can forget it."""
    kept = "".join(
        ch for ch in value if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf")
    )
    # Composed after the invisible characters are gone: "e", U+200B, U+0301 becomes "é".
    return unicodedata.normalize("NFC", kept)


async def read_json(request: Request) -> object:
    """A JSON body from our own scripts, or a clear 400 when it cannot be read."""
    try:
        return json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        raise HTTPException(400, "That request could not be read.") from None
