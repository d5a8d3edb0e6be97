"""Blocking a person from their contact page, and unblocking from Settings' "Blocked people"
(the operations themselves: ``server/contacts/blocks.py``)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.contacts import blocks
from server.contacts.contacts import NO_CONTACTS, following_merges, person_of
from server.web.auth import signed_in, signed_in_account
from server.web.forms import read_form
from server.web.htmx import htmx, redirect
from server.web.notices import with_notice
from server.web.opened_for import refuse_if_opened_for_another
from server.web.templating import render
from server.web.urls import url_path


@signed_in(status_code=404, message=NO_CONTACTS)
async def contact_block(request: Request) -> Response:
    """Block them: the connection ends both ways, for good, and no new one can be made. From a
    page opened before they removed me, them still (a block ends their Undo too). Their
    account gone meanwhile: deleted, nothing is left to block; merged into another of theirs
    (the card's page read before the merge was done), that one, the person meant, or 404
    when it is no contact of mine: never "Blocked." for nobody blocked."""
    owner_id, other_id = await person_of(request)
    pool, sql = request.app.state.pool, request.app.state.sql
    await following_merges(
        pool, sql, owner_id, other_id, lambda other: blocks.block(pool, sql, owner_id, other)
    )
    return redirect(request, with_notice(url_path(request, "contacts"), "blocked"))


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
    Route(
        "/contacts/{contact_id:int}/block", contact_block, methods=["POST"], name="contact_block"
    ),
    Route("/blocked/{account_id:int}/unblock", unblock, methods=["POST"], name="unblock"),
]
