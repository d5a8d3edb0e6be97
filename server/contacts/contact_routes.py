"""One contact: their page (``/contacts/<id>``), the welcome shown just after we swapped, and
their vCard to save on my phone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.cards import photos, vcard
from server.cards.cards import load_card
from server.contacts.contacts import NO_CONTACTS, load_contact, load_followup
from server.contacts.page import contact_page
from server.export import met
from server.followups import wording
from server.mail import links
from server.web.auth import signed_in, viewer
from server.web.templating import render


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
async def contact_vcard(request: Request) -> Response:
    _, contact = await load_contact(request)
    photo = await photos.load(request, contact["photo_key"])
    # The same note as every export: where and when (my day), my note, what we promised.
    zone = ZoneInfo(viewer(request).time_zone)
    return vcard.response(contact, note=met.note(contact, zone), photo_jpeg=photo)


routes = [
    Route("/welcome/{contact_id:int}", welcome, name="welcome"),
    Route("/contacts/{contact_id:int}", show_contact, name="contact"),
    Route("/contacts/{contact_id:int}/vcard", contact_vcard, name="contact_vcard"),
]
