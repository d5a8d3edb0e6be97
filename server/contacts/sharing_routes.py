"""What a contact sees of my card: accepting someone who left their details on my card (which
asks first), and choosing all my card or my name and headline only."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.contacts.contacts import NO_CONTACTS, load_contact
from server.contacts.page import SHARING, contact_page
from server.web.auth import signed_in
from server.web.forms import read_form, text
from server.web.htmx import htmx, redirect
from server.web.notices import with_notice
from server.web.templating import render
from server.web.urls import url_path

WAITING_TO_ACCEPT = (
    "Not changed: they are waiting for you to accept them. Accept them first (at the top of"
    " this page), then choose what they see of your card."
)


@signed_in(status_code=404, message=NO_CONTACTS)
async def contact_accept(request: Request) -> Response:
    """They left their details on my card, which asks first: share all of it with them now."""
    await read_form(request)
    owner_id, contact = await load_contact(request)
    await request.app.state.sql.run(
        request.app.state.pool, "contacts.accept", id=contact["id"], owner_id=owner_id
    )
    # Said on the page it lands on: the Accept box just went, with focus at the top. Accepted
    # before (another tab, a second tap), what they see may since be name and headline only.
    notice = "accepted" if contact["sharing"] == "pending" else "accepted_before"
    page = url_path(request, "contact", contact_id=contact["id"])
    return redirect(request, with_notice(page, notice))


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


routes = [
    Route(
        "/contacts/{contact_id:int}/sharing",
        contact_sharing,
        methods=["POST"],
        name="contact_sharing",
    ),
    Route(
        "/contacts/{contact_id:int}/accept", contact_accept, methods=["POST"], name="contact_accept"
    ),
]
