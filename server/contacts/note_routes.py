"""What I keep about a contact, on their page: my private note, and what I promised them and
they asked me for; each saved only over what the page showed, never over words saved since on
another phone or tab."""

from __future__ import annotations

from datetime import datetime
from textwrap import shorten
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.contacts.contacts import NO_CONTACTS, load_contact
from server.contacts.page import contact_page, reminder_said
from server.web.auth import signed_in
from server.web.forms import read_form, text
from server.web.htmx import htmx
from server.web.templating import render
from server.web.urls import url_path

NOTE_MAX = 2000
NOTE_QUOTED = 200  # of a text changed elsewhere, in the message that says so
GIVE_GET_MAX = 500


@signed_in(status_code=404, message=NO_CONTACTS)
async def contact_note(request: Request) -> Response:
    form = await read_form(request)
    owner_id, contact = await load_contact(request)
    note = text(form, "note")
    # The version of the note the page showed ("" before any): a note saved meanwhile on
    # another phone or tab (or by one that kept this text offline) is not overwritten unseen.
    as_of = form.get("note_as_of")
    error, status_code = None, 200
    if len(note) > NOTE_MAX:
        # Typed, or kept whole by a merge that joined two notes (merge_accounts() in
        # logic.sql): the note stays as it was, and the text sent comes back to shorten.
        error, status_code = too_long(len(note)), 422
    else:
        row = await request.app.state.sql.run(
            request.app.state.pool,
            "contacts.set_note",
            id=contact["id"],
            owner_id=owner_id,
            note=note,
            checked=isinstance(as_of, str),
            as_of=moment(as_of),
        )
        if row is None:
            _, contact = await load_contact(request)
            error, status_code = note_changed_since(contact["note"]), 409
        else:
            contact = {**contact, "note": row["note"], "note_updated_at": row["note_updated_at"]}
    if htmx(request):
        return render(
            request,
            "_contact_note.html",
            {"contact": contact, "note_error": error, "saved": error is None, "draft": note},
            status_code=status_code,
        )
    if error:
        return await contact_page(request, contact, status_code, note_error=error, draft=note)
    return RedirectResponse(url_path(request, "contact", contact_id=contact["id"]), status_code=303)


def moment(value: object) -> datetime | None:
    """A version sent back by a form (``isoformat()``), or None for none or one unreadable
    (a note with a version then counts as changed since)."""
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def too_long(length: int) -> str:
    return (
        f"Not saved: please keep your note under {NOTE_MAX} characters. This one has"
        f" {length:,}: shorten it, then save again."
    )


def note_changed_since(current: str) -> str:
    now_says = f" It now says: {quoted(current)}." if current else " It is now empty."
    return (
        "Not saved: this note was changed on another phone or tab since you opened it."
        f"{now_says} Save again to replace it with yours."
    )


@signed_in(status_code=404, message=NO_CONTACTS)
async def contact_give_get(request: Request) -> Response:
    """What I promised them and what they asked me for: named in every reminder."""
    form = await read_form(request)
    owner_id, contact = await load_contact(request)
    promised, they_asked = text(form, "promised"), text(form, "they_asked")
    # Both as the page showed them: saved since with other words (another phone or tab, or
    # one that kept this offline), they are not overwritten unseen.
    promised_was, they_asked_was = form.get("promised_was"), form.get("they_asked_was")
    errors = {
        name: f"Please keep this under {GIVE_GET_MAX} characters."
        for name, value in (("promised", promised), ("they_asked", they_asked))
        if len(value) > GIVE_GET_MAX
    }
    conflict, status_code = None, 422 if errors else 200
    if not errors:
        row = await request.app.state.sql.run(
            request.app.state.pool,
            "contacts.set_give_get",
            id=contact["id"],
            owner_id=owner_id,
            promised=promised,
            they_asked=they_asked,
            checked=isinstance(promised_was, str) and isinstance(they_asked_was, str),
            promised_was=promised_was if isinstance(promised_was, str) else "",
            they_asked_was=they_asked_was if isinstance(they_asked_was, str) else "",
        )
        if row is None:
            _, contact = await load_contact(request)
            conflict, status_code = give_get_changed_since(contact), 409
        else:
            contact = {**contact, "promised": row["promised"], "they_asked": row["they_asked"]}
    context = {
        "give_get_errors": errors,
        "give_get_conflict": conflict,
        "give_get_saved": status_code == 200,
        "draft": {"promised": promised, "they_asked": they_asked},
    }
    if htmx(request):
        # What it says once saved depends on whether a reminder can mention it.
        context.update(await reminder_said(request, contact))
        return render(
            request, "_give_get.html", {"contact": contact, **context}, status_code=status_code
        )
    if status_code != 200:
        return await contact_page(request, contact, status_code, **context)
    return RedirectResponse(url_path(request, "contact", contact_id=contact["id"]), status_code=303)


def quoted(current: str) -> str:
    return f"“{shorten(current, NOTE_QUOTED)}”" if current else "nothing"


def give_get_changed_since(contact: Any) -> str:
    return (
        "Not saved: this was changed on another phone or tab since you opened it. It now says: "
        f"I promised them {quoted(contact['promised'])}; they asked me for "
        f"{quoted(contact['they_asked'])}. Save again to replace it with yours."
    )


routes = [
    Route("/contacts/{contact_id:int}/note", contact_note, methods=["POST"], name="contact_note"),
    Route(
        "/contacts/{contact_id:int}/give-get",
        contact_give_get,
        methods=["POST"],
        name="contact_give_get",
    ),
]
