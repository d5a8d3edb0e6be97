"""One contact's page as rendered: by its own route, and again by the forms on it (note,
give and get, what they see of me) when they refuse without htmx, with what they said."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from server.contacts.contacts import load_followup, unreached_fix
from server.contacts.shown import SHOWN_HEADER, shown_version
from server.web.auth import viewer
from server.web.templating import render

# "What they see of me", as the contact page offers it.
SHARING = {"all": "All my card", "basics": "Name and headline only"}


async def reminder_said(request: Request, contact: Any) -> dict[str, Any]:
    """My follow-up on ``contact`` and, when no reminder can reach me, what would fix it:
    what the page says of it, and whether the give and get saved is "in your reminder"
    (``_give_get.html``), on the page and in the form's htmx answer alike."""
    followup = await load_followup(request, contact)
    return {"followup": followup, "unreached_fix": await unreached_fix(request, followup)}


async def contact_page(
    request: Request, contact: Any, status_code: int = 200, **extra: Any
) -> Response:
    context = {
        "contact": contact,
        **await reminder_said(request, contact),
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
