"""The contact list's notice of a removal just made ("Removed Dana Lee", with Undo while it
works): the query parameter naming it, written by Remove and read back by the list."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from server.web.forms import an_id
from server.web.urls import url_path

# The list's query parameter naming a removal just made, for its notice with Undo.
REMOVED = "removed"


def list_after(request: Request, removal_id: int | None) -> str:
    """The contact list, naming the removal just made when there was one."""
    url = url_path(request, "contacts")
    if removal_id is not None:
        url = f"{url}?{REMOVED}={removal_id}"
    return url


async def named_removal(request: Request, account_id: int) -> Any:
    """My removal named in the list's URL ("Removed Dana Lee", with Undo while it works)."""
    removal_id = an_id(request.query_params.get(REMOVED, ""))
    if removal_id is None:
        return None
    return await request.app.state.sql.run(
        request.app.state.pool, "contacts.removal", id=removal_id, owner_id=account_id
    )
