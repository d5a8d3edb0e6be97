"""Which of the contacts a phone keeps pages of, or showing them, for offline are still mine,
and whether each page still shows what its person shares with me: the service worker asks
(sw-cache.js) whenever a page showing my contacts (the list, Follow-ups, ...) comes from the
network, and drops or fetches again what changed (someone removed or blocked me, deleted
their account, or shares less with me now)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.contacts.contacts import NO_CONTACTS
from server.contacts.shown import shown_version
from server.web.auth import signed_in, signed_in_account
from server.web.forms import an_id

KEPT_AT_MOST = 100  # ids in one check (sw-cache.js asks in batches of this many)
BAD_KEPT = f"Name up to {KEPT_AT_MOST} of your contacts by number, separated by commas."


@signed_in(status_code=404, message=NO_CONTACTS)
async def contacts_kept(request: Request) -> Response:
    """Which of the contacts a phone keeps pages of, or lists showing them (``?ids=3,5``,
    their ids), are still mine, each with the version of what its person shows me now: the
    service worker drops the rest's pages and the lists showing them, and fetches again a
    page whose version changed (sw-cache.js). Asked by id, not read off the list: the list
    is paged, and a contact not on its first page is not gone."""
    ids = kept_ids(request.query_params.get("ids", ""))
    rows = await request.app.state.sql.run(
        request.app.state.pool,
        "contacts.kept",
        owner_id=signed_in_account(request),
        ids=ids,
    )
    return JSONResponse(
        {"kept": {str(row["id"]): shown_version(row) for row in rows}},
        headers={"cache-control": "no-store"},
    )


def kept_ids(value: str) -> list[int]:
    """``3,5,8`` read as ids; 400 in words for anything else, or more than KEPT_AT_MOST."""
    parts = value.split(",") if value else []
    ids = [an_id(part) for part in parts[: KEPT_AT_MOST + 1]]
    if len(ids) > KEPT_AT_MOST or None in ids:
        raise HTTPException(400, BAD_KEPT)
    return [found for found in ids if found is not None]


routes = [Route("/contacts/kept", contacts_kept, name="contacts_kept")]
