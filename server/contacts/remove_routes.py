"""Removing a contact, both ways at once, and its Undo while the few seconds last."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.contacts.contacts import (
    NO_CONTACTS,
    following_merges,
    person_of,
    remove,
    undo_removal,
)
from server.contacts.removed import list_after
from server.web.auth import signed_in, signed_in_account
from server.web.errors import Titled
from server.web.htmx import redirect
from server.web.notices import with_notice
from server.web.urls import url_path


@signed_in(status_code=404, message=NO_CONTACTS)
async def contact_remove(request: Request) -> Response:
    """Remove them both ways at once; the list then says so, with Undo for a few seconds.
    From a page opened before they removed me: it stays removed, their Undo too late. Their
    card merged into another account of theirs as this was pressed (the rows about it are
    gone into the kept one's): the kept one, the person meant, or 404 when it is no contact
    of mine."""
    owner_id, other_id = await person_of(request)
    pool, sql = request.app.state.pool, request.app.state.sql
    removal_id = await following_merges(
        pool, sql, owner_id, other_id, lambda other: remove(pool, sql, owner_id, other)
    )
    return redirect(request, list_after(request, removal_id))


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


routes = [
    Route(
        "/contacts/{contact_id:int}/remove", contact_remove, methods=["POST"], name="contact_remove"
    ),
    Route(
        "/contacts/removed/{removal_id:int}/undo",
        contact_undo,
        methods=["POST"],
        name="contact_undo",
    ),
]
