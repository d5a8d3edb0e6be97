"""My contacts: the list with search as you type, a contact's page, my private note, vCard."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.cards import photos, vcard
from server.contacts.contacts import (
    NO_CONTACTS,
    like_pattern,
    load_contact,
    load_followup,
    met_note,
)
from server.web import pages
from server.web.auth import signed_in, viewer
from server.web.forms import an_id, read_form, text
from server.web.htmx import htmx
from server.web.templating import render
from server.web.urls import url_path

NOTE_MAX = 2000
GIVE_GET_MAX = 500


async def contacts(request: Request) -> Response:
    account_id = viewer(request).account_id
    query = request.query_params.get("q", "")[:100]
    event_id = an_id(request.query_params.get("event"))
    after = pages.after_moment(request)
    rows: list[Any] = []
    events: list[Any] = []
    more = None
    if account_id is not None:
        pool, sql = request.app.state.pool, request.app.state.sql
        found = await sql.run(
            pool,
            "contacts.search",
            owner_id=account_id,
            pattern=like_pattern(query),
            event_id=event_id,
            after_at=after.at,
            after_id=after.id,
            limit=pages.PAGE_SIZE + 1,
        )
        rows, cursor = pages.page(found, lambda row: pages.moment_cursor(row["met_at"], row["id"]))
        more = pages.more_url(request, "contacts", cursor, q=query, event=event_id)
        # The "where we met" filter offers my latest hundred events: a menu, not a list to page.
        events = await sql.run(
            pool, "events.mine", account_id=account_id, after_at=None, after_id=None, limit=100
        )
    return render(
        request,
        "contacts.html",
        {"contacts": rows, "q": query, "event_id": event_id, "events": events, "more": more},
        fragment="_contact_list.html",
    )


async def contact_page(
    request: Request, contact: Any, status_code: int = 200, **extra: Any
) -> Response:
    followup = await load_followup(request, contact)
    context = {
        "contact": contact,
        "followup": followup,
        "now": datetime.now(UTC),
        "tz": viewer(request).time_zone,
        "notice_name": contact["name"],
        **extra,
    }
    return render(request, "contact.html", context, status_code=status_code)


@signed_in(status_code=404, message=NO_CONTACTS)
async def show_contact(request: Request) -> Response:
    _, contact = await load_contact(request)
    return await contact_page(request, contact)


@signed_in(status_code=404, message=NO_CONTACTS)
async def welcome(request: Request) -> Response:
    _, contact = await load_contact(request)
    return render(request, "welcome.html", {"contact": contact})


@signed_in(status_code=404, message=NO_CONTACTS)
async def contact_note(request: Request) -> Response:
    form = await read_form(request)
    owner_id, contact = await load_contact(request)
    note = text(form, "note")
    error = None
    if len(note) > NOTE_MAX:
        error = f"Please keep your note under {NOTE_MAX} characters."
    saved = False
    if error is None:
        row = await request.app.state.sql.run(
            request.app.state.pool,
            "contacts.set_note",
            id=contact["id"],
            owner_id=owner_id,
            note=note,
        )
        contact = {**contact, "note": row["note"], "note_updated_at": row["note_updated_at"]}
        saved = True
    if htmx(request):
        return render(
            request,
            "_contact_note.html",
            {"contact": contact, "note_error": error, "saved": saved, "draft": note},
            status_code=422 if error else 200,
        )
    if error:
        return await contact_page(request, contact, 422, note_error=error, draft=note)
    return RedirectResponse(url_path(request, "contact", contact_id=contact["id"]), status_code=303)


@signed_in(status_code=404, message=NO_CONTACTS)
async def contact_give_get(request: Request) -> Response:
    """What I promised them and what they asked me for: named in every reminder."""
    form = await read_form(request)
    owner_id, contact = await load_contact(request)
    promised, they_asked = text(form, "promised"), text(form, "they_asked")
    errors = {
        name: f"Please keep this under {GIVE_GET_MAX} characters."
        for name, value in (("promised", promised), ("they_asked", they_asked))
        if len(value) > GIVE_GET_MAX
    }
    if not errors:
        row = await request.app.state.sql.run(
            request.app.state.pool,
            "contacts.set_give_get",
            id=contact["id"],
            owner_id=owner_id,
            promised=promised,
            they_asked=they_asked,
        )
        contact = {**contact, "promised": row["promised"], "they_asked": row["they_asked"]}
    shown = {
        "give_get_errors": errors,
        "give_get_saved": not errors,
        "draft": {"promised": promised, "they_asked": they_asked},
    }
    if htmx(request):
        return render(
            request,
            "_give_get.html",
            {"contact": contact, **shown},
            status_code=422 if errors else 200,
        )
    if errors:
        return await contact_page(request, contact, 422, **shown)
    return RedirectResponse(url_path(request, "contact", contact_id=contact["id"]), status_code=303)


@signed_in(status_code=404, message=NO_CONTACTS)
async def contact_vcard(request: Request) -> Response:
    _, contact = await load_contact(request)
    photo = await photos.load(request, contact["photo_key"])
    return vcard.response(contact, note=met_note(contact), photo_jpeg=photo)


routes = [
    Route("/welcome/{contact_id:int}", welcome, name="welcome"),
    Route("/contacts", contacts, name="contacts"),
    Route("/contacts/{contact_id:int}", show_contact, name="contact"),
    Route("/contacts/{contact_id:int}/note", contact_note, methods=["POST"], name="contact_note"),
    Route("/contacts/{contact_id:int}/vcard", contact_vcard, name="contact_vcard"),
    Route(
        "/contacts/{contact_id:int}/give-get",
        contact_give_get,
        methods=["POST"],
        name="contact_give_get",
    ),
]
