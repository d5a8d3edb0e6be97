"""Finding my contacts: one by id (only mine), search patterns, and the links to them."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request

from server.web.auth import signed_in_account
from server.web.notices import with_notice
from server.web.urls import url_path

# The guard on every handler that opens one of my contacts.
NO_CONTACTS = "Save your card first; the people you swap with show up here."


def like_pattern(query: str) -> str | None:
    query = " ".join(query.split())[:100]
    if not query:
        return None
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def load_contact(request: Request) -> tuple[int, Any]:
    owner_id = signed_in_account(request)
    contact = await request.app.state.sql.run(
        request.app.state.pool,
        "contacts.get",
        id=request.path_params["contact_id"],
        owner_id=owner_id,
    )
    if contact is None:
        # The same answer for "not yours" and "does not exist": ids reveal nothing.
        raise HTTPException(404, "That contact is not in your list.")
    return owner_id, contact


async def load_followup(request: Request, contact: Any) -> Any:
    """My follow-up for one of my contacts (as ``load_contact`` gave it), or None."""
    return await request.app.state.sql.run(
        request.app.state.pool,
        "followups.for_contact",
        contact_id=contact["id"],
        owner_id=signed_in_account(request),
    )


def new_contact_url(request: Request, contact_id: int) -> str:
    """Where a swap lands: the new contact's page, saying they were just added."""
    return with_notice(url_path(request, "contact", contact_id=contact_id), "swapped")


def met_note(contact: Any) -> str:
    met = contact["met_at"].strftime("%-d %b %Y")
    lines = [f"Met on {met} (swapped details on Reachout)."]
    if contact["note"]:
        lines.append(contact["note"])
    return "\n".join(lines)
