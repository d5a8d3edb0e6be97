"""Reading a submitted form: bounded parsing, then the CSRF check every POST goes through."""

from __future__ import annotations

import json

from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request

from server.web import csrf


async def read_form(request: Request) -> FormData:
    try:
        form = await request.form(max_files=1, max_fields=40)
    except MultiPartException:
        raise HTTPException(400, "The form could not be read. Please try again.") from None
    submitted = form.get(csrf.FORM_FIELD) or request.headers.get(csrf.HEADER)
    csrf.verify(request, submitted if isinstance(submitted, str) else None)
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
    """A JSON body from our own scripts: CSRF token in the header, a clear 400 when unreadable."""
    csrf.verify(request, request.headers.get(csrf.HEADER))
    try:
        return json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        raise HTTPException(400, "That request could not be read.") from None
