"""Reading what a request submitted: a bounded form, a text field, a JSON body."""

from __future__ import annotations

import json

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
    # NUL and other control characters never belong in a card field.
    cleaned = "".join(ch for ch in value if ch in "\n\t" or ch >= " ")
    return cleaned.strip()


async def read_json(request: Request) -> object:
    """A JSON body from our own scripts, or a clear 400 when it cannot be read."""
    try:
        return json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        raise HTTPException(400, "That request could not be read.") from None
