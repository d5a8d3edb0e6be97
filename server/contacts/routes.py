"""My contacts: the list with search as you type, a contact's page, my private note, vCard;
removing one (with Undo), blocking a person, what each contact sees of my card, unblocking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from textwrap import shorten
from typing import Any
from zoneinfo import ZoneInfo

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.cards import photos, vcard
from server.cards.cards import load_card
from server.contacts import blocks
from server.contacts.contacts import (
    NO_CONTACTS,
    like_pattern,
    load_contact,
    load_followup,
    person_of,
    remove,
    undo_removal,
    unreached_fix,
)
from server.contacts.shown import KEPT_CHECK_HEADER, SHOWN_HEADER, shown_version
from server.export import met
from server.followups import wording
from server.mail import links
from server.web import pages
from server.web.auth import signed_in, signed_in_account, viewer
from server.web.errors import Titled
from server.web.forms import an_id, read_form, text
from server.web.htmx import htmx, redirect
from server.web.notices import with_notice
from server.web.opened_for import refuse_if_opened_for_another
from server.web.templating import render
from server.web.urls import url_path

NOTE_MAX = 2000
NOTE_QUOTED = 200  # of a text changed elsewhere, in the message that says so
GIVE_GET_MAX = 500
# "What they see of me", as the contact page offers it.
SHARING = {"all": "All my card", "basics": "Name and headline only"}
WAITING_TO_ACCEPT = (
    "Not changed: they are waiting for you to accept them. Accept them first (at the top of"
    " this page), then choose what they see of your card."
)
# The list's query parameter naming a removal just made, for its notice with Undo.
REMOVED = "removed"


async def contacts(request: Request) -> Response:
    account_id = viewer(request).account_id
    query = request.query_params.get("q", "")[:100]
    event_id = an_id(request.query_params.get("event"))
    rows: list[Any] = []
    events: list[Any] = []
    removed = None
    more = None
    if account_id is not None:
        pool, sql = request.app.state.pool, request.app.state.sql
        pattern = like_pattern(query)
        searching = pattern is not None
        after = contacts_after(request, searching=searching)
        found = await sql.run(
            pool,
            "contacts.search",
            owner_id=account_id,
            pattern=pattern,
            event_id=event_id,
            after_tier=after.tier,
            after_at=after.at,
            after_id=after.id,
            limit=pages.PAGE_SIZE + 1,
        )
        rows, cursor = pages.page(found, lambda row: contacts_cursor(row, searching=searching))
        more = pages.more_url(request, "contacts", cursor, q=query, event=event_id)
        # The "where we met" filter offers my latest hundred events (a menu, not a list to
        # page), and always the one chosen.
        events = await sql.run(
            pool, "events.mine", account_id=account_id, after_at=None, after_id=None, limit=100
        )
        events = await _with_filter_event(request, account_id, events, event_id)
        removed = await _removal(request, account_id, request.query_params.get(REMOVED, ""))
    response = render(
        request,
        "contacts.html",
        {
            "contacts": rows,
            "q": query,
            "event_id": event_id,
            "events": events,
            "removed": removed,
            "more": more,
        },
        fragment="_contact_list.html",
    )
    if account_id is not None:
        response.headers[KEPT_CHECK_HEADER] = url_path(request, "contacts_kept")
    return response


BAD_CURSOR = (
    'That "Show more" link is not one this list made, so it cannot say where to go on.'
    " Open your contacts again to start from the top."
)


@dataclass(frozen=True)
class ContactsAfter:
    """Where the next page of contacts starts: after the row of group ``tier`` (1: names
    starting with the words typed, or everyone when nothing was typed; 2: the rest found) met
    at ``at`` with ``id``; all None: the first page. Without a search ``tier`` is None (one
    group, which the query takes as 1)."""

    tier: int | None = None
    at: datetime | None = None
    id: int | None = None


def contacts_cursor(row: Any, *, searching: bool) -> str:
    """``<microseconds since 1970>.<id>`` of the last contact shown, as every moment-ordered
    list's; a search puts its group first (``<group>.<microseconds>.<id>``), so the next page
    is placed by these values and never by that contact's name now (renamed since, it would
    be in the other group, and the next page would skip or repeat people)."""
    moment = pages.moment_cursor(row["met_at"], row["id"])
    return f"{row['tier']}.{moment}" if searching else moment


def contacts_after(request: Request, *, searching: bool) -> ContactsAfter:
    """``?after=`` read back as contacts_cursor() made it, for the first page when absent.
    Without a search, as every moment-ordered list: anything else starts from the top. A
    search's cursor that is not one is refused in words (400), not started over: starting
    over under "Show more" repeats the first contacts, which htmx would add again, and a
    cursor without its group (a link made before searches carried it) cannot say where the
    next page goes."""
    if not searching:
        plain = pages.after_moment(request)
        return ContactsAfter(None, plain.at, plain.id)
    after = request.query_params.get(pages.PARAM)
    if after is None:
        return ContactsAfter()
    tier, _, rest = after.partition(".")
    moment = pages.read_moment(rest) if tier in ("1", "2") else None
    if moment is None:
        raise HTTPException(400, BAD_CURSOR)
    return ContactsAfter(int(tier), moment.at, moment.id)


async def _with_filter_event(
    request: Request, account_id: int, events: list[Any], event_id: int | None
) -> list[Any]:
    """The menu's events with the one the list is filtered by, in its place by start: from a
    contact's "Met at" link it may be one I left or an older one, and a menu without it
    would show "Anywhere" over a filtered list, then drop the filter at the next search."""
    if event_id is None or any(event["id"] == event_id for event in events):
        return events
    chosen = await request.app.state.sql.run(
        request.app.state.pool, "contacts.filter_event", event_id=event_id, owner_id=account_id
    )
    if chosen is None:
        return events
    return sorted(
        [*events, chosen], key=lambda event: (event["starts_at"], event["id"]), reverse=True
    )


async def _removal(request: Request, account_id: int, removal: str) -> Any:
    """My removal named in the list's URL ("Removed Dana Lee", with Undo while it works)."""
    removal_id = an_id(removal)
    if removal_id is None:
        return None
    return await request.app.state.sql.run(
        request.app.state.pool, "contacts.removal", id=removal_id, owner_id=account_id
    )


async def contact_page(
    request: Request, contact: Any, status_code: int = 200, **extra: Any
) -> Response:
    followup = await load_followup(request, contact)
    context = {
        "contact": contact,
        "followup": followup,
        "unreached_fix": await unreached_fix(request, followup),
        "now": datetime.now(UTC),
        "tz": viewer(request).time_zone,
        "notice_name": contact["name"],
        "sharing_choices": SHARING,
        **extra,
    }
    response = render(request, "contact.html", context, status_code=status_code)
    # Kept for offline with the page, and compared with contacts_kept's answer later.
    response.headers[SHOWN_HEADER] = shown_version(contact)
    return response


@signed_in(status_code=404, message=NO_CONTACTS)
async def show_contact(request: Request) -> Response:
    await links.check_meant_for(request)  # "See Dana Lee in Reachout", from a reminder
    _, contact = await load_contact(request)
    return await contact_page(request, contact)


@signed_in(status_code=404, message=NO_CONTACTS)
async def welcome(request: Request) -> Response:
    owner_id, contact = await load_contact(request)
    emailed_to = await request.app.state.sql.run(
        request.app.state.pool,
        "mail.met_email_to",
        account_id=owner_id,
        about_id=contact["contact_id"],
    )
    # An address left, but no email sent to it (one already today, or it asked for none):
    # said, so that nobody waits for an email that is not coming.
    mine = (await load_card(request, owner_id))["email"] if emailed_to is None else ""
    # When to follow up, and a calendar entry for it: the one reminder that needs no email
    # and no installed app (someone who left only a phone number has nothing else).
    followup = await load_followup(request, contact)
    due = None
    if followup is not None and followup["status"] == "open":
        due = wording.when_phrase(followup["due_at"], datetime.now(UTC), viewer(request).time_zone)
    return render(
        request,
        "welcome.html",
        {"contact": contact, "emailed_to": emailed_to, "not_emailed_to": mine, "due": due},
    )


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
        error, status_code = f"Please keep your note under {NOTE_MAX} characters.", 422
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


@signed_in(status_code=404, message=NO_CONTACTS)
async def contact_vcard(request: Request) -> Response:
    _, contact = await load_contact(request)
    photo = await photos.load(request, contact["photo_key"])
    # The same note as every export: where and when (my day), my note, what we promised.
    zone = ZoneInfo(viewer(request).time_zone)
    return vcard.response(contact, note=met.note(contact, zone), photo_jpeg=photo)


@signed_in(status_code=404, message=NO_CONTACTS)
async def contact_remove(request: Request) -> Response:
    """Remove them both ways at once; the list then says so, with Undo for a few seconds.
    From a page opened before they removed me: it stays removed, their Undo too late."""
    owner_id, other_id = await person_of(request)
    pool, sql = request.app.state.pool, request.app.state.sql
    removal_id = await remove(pool, sql, owner_id, other_id)
    url = url_path(request, "contacts")
    if removal_id is not None:
        url = f"{url}?{REMOVED}={removal_id}"
    return redirect(request, url)


@signed_in(status_code=404, message=NO_CONTACTS)
async def contact_undo(request: Request) -> Response:
    owner_id = signed_in_account(request)
    removal_id = request.path_params["removal_id"]
    pool, sql = request.app.state.pool, request.app.state.sql
    contact_id = await undo_removal(pool, sql, owner_id, removal_id)
    if contact_id is not None:
        return redirect(
            request, with_notice(url_path(request, "contact", contact_id=contact_id), "restored")
        )
    removed = await sql.run(pool, "contacts.removal", id=removal_id, owner_id=owner_id)
    if removed is None:
        raise HTTPException(
            404, "There is nothing to undo: that removal is not yours, or it is gone."
        )
    raise Titled(410, f"{removed['name']} was removed for good.", title="Too late to undo")


@signed_in(status_code=404, message=NO_CONTACTS)
async def contact_block(request: Request) -> Response:
    """Block them: the connection ends both ways, for good, and no new one can be made. From a
    page opened before they removed me, them still (a block ends their Undo too)."""
    owner_id, other_id = await person_of(request)
    await blocks.block(request.app.state.pool, request.app.state.sql, owner_id, other_id)
    return redirect(request, with_notice(url_path(request, "contacts"), "blocked"))


@signed_in(status_code=404, message=NO_CONTACTS)
async def contact_accept(request: Request) -> Response:
    """They left their details on my card, which asks first: share all of it with them now."""
    await read_form(request)
    owner_id, contact = await load_contact(request)
    await request.app.state.sql.run(
        request.app.state.pool, "contacts.accept", id=contact["id"], owner_id=owner_id
    )
    return redirect(request, url_path(request, "contact", contact_id=contact["id"]))


@signed_in(status_code=404, message=NO_CONTACTS)
async def contact_sharing(request: Request) -> Response:
    """ "What they see of me": all my card, or name and headline only; theirs at once."""
    form = await read_form(request)
    owner_id, contact = await load_contact(request)
    sharing = text(form, "sharing")
    error, status = None, 200
    if sharing not in SHARING:
        error, status = "Choose what they see: all your card, or your name and headline only.", 422
    elif await request.app.state.sql.run(
        request.app.state.pool,
        "contacts.set_sharing",
        id=contact["id"],
        owner_id=owner_id,
        sharing=sharing,
    ):
        contact = {**contact, "sharing": sharing}
    else:
        # A form from before they left their details on a card that asks first: accepting
        # is what shares the card and sends their "You met" email.
        error, status = WAITING_TO_ACCEPT, 409
    context = {"sharing_choices": SHARING, "sharing_error": error, "sharing_saved": error is None}
    if htmx(request):
        return render(request, "_sharing.html", {"contact": contact, **context}, status_code=status)
    if error:
        return await contact_page(request, contact, status, **context)
    return RedirectResponse(url_path(request, "contact", contact_id=contact["id"]), status_code=303)


@signed_in(status_code=404, message=NO_CONTACTS)
async def unblock(request: Request) -> Response:
    """From Settings' "Blocked people": they may swap with me again, as strangers."""
    owner_id = signed_in_account(request)
    # Another card's list (switched in another tab) may name the same person: its block, not
    # this card's, was the one meant.
    refuse_if_opened_for_another(request, await read_form(request), owner_id, page="settings")
    other = request.path_params["account_id"]
    pool, sql = request.app.state.pool, request.app.state.sql
    name = await sql.run(pool, "blocks.name_of", account_id=other)
    if not await blocks.unblock(pool, sql, owner_id, other):
        raise HTTPException(404, "That person is not in your list of blocked people.")
    if htmx(request):
        blocked = await sql.run(pool, "blocks.blocked_by", blocker_id=owner_id)
        return render(request, "_blocked_people.html", {"blocked": blocked, "unblocked": name})
    return RedirectResponse(
        with_notice(url_path(request, "settings"), "unblocked"), status_code=303
    )


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
    Route(
        "/contacts/{contact_id:int}/remove", contact_remove, methods=["POST"], name="contact_remove"
    ),
    Route(
        "/contacts/removed/{removal_id:int}/undo",
        contact_undo,
        methods=["POST"],
        name="contact_undo",
    ),
    Route(
        "/contacts/{contact_id:int}/block", contact_block, methods=["POST"], name="contact_block"
    ),
    Route(
        "/contacts/{contact_id:int}/sharing",
        contact_sharing,
        methods=["POST"],
        name="contact_sharing",
    ),
    Route(
        "/contacts/{contact_id:int}/accept", contact_accept, methods=["POST"], name="contact_accept"
    ),
    Route("/blocked/{account_id:int}/unblock", unblock, methods=["POST"], name="unblock"),
]
