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
