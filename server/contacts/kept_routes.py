"""Which of the people a phone keeps pages of, or showing them, for offline are still there
for me, and whether each contact's page still shows what its person shares with me: the
service worker asks (sw-cache.js) whenever a page showing my contacts (the list, Follow-ups,
...) comes from the network, and drops or fetches again what changed (someone removed or
blocked me, deleted their account, or shares less with me now). Besides my contacts: the
requests to connect waiting for me (Requests) and the people on an event's list, who are not
my contacts yet, and go from those pages the same ways; and the requests I sent ("Sent by you"
on Requests), which go as that list drops them."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.contacts.contacts import NO_CONTACTS
from server.contacts.shown import shown_version
from server.web.auth import signed_in, signed_in_account
from server.web.forms import an_id

KEPT_AT_MOST = 100  # ids in one check, of each kind (sw-cache.js asks in batches of this many)
BAD_KEPT = f"Name up to {KEPT_AT_MOST} of your contacts by number, separated by commas."
BAD_REQUESTS = f"Name up to {KEPT_AT_MOST} requests to connect by number, separated by commas."
BAD_SENT = f"Name up to {KEPT_AT_MOST} requests you sent by number, separated by commas."
BAD_PEOPLE = (
    f"Name up to {KEPT_AT_MOST} people at events as event:person numbers, separated by commas."
)


@signed_in(status_code=404, message=NO_CONTACTS)
async def contacts_kept(request: Request) -> Response:
    """Which of the contacts a phone keeps pages of, or lists showing them (``?ids=3,5``,
    their ids), are still mine, each with the version of what its person shows me now; which
    requests to connect kept pages show (``requests=7,9``) still wait for my answer; and which
    people kept pages of an event's list show (``people=4:12``, event and account) are still
    on it for me; and which requests I sent that kept pages show (``sent=8``, by their
    Withdraw) "Sent by you" still shows. The service worker drops the rest's pages and the
    lists showing them, and fetches again a page whose version changed (sw-cache.js). Asked
    by id, not read off the lists: they are paged, and someone not on a first page is not
    gone. Nothing is said of anyone those pages would not show me now (no oracle of who has
    an account, or where; a request its person blocked me over is still "sent", as the page
    shows it)."""
    params = request.query_params
    ids = kept_ids(params.get("ids", ""), BAD_KEPT)
    asked = kept_ids(params.get("requests", ""), BAD_REQUESTS)
    people = kept_people(params.get("people", ""))
    sent = kept_ids(params.get("sent", ""), BAD_SENT)
    owner_id = signed_in_account(request)
    pool, sql = request.app.state.pool, request.app.state.sql
    rows = await sql.run(pool, "contacts.kept", owner_id=owner_id, ids=ids) if ids else []
    waiting = (
        await sql.run(pool, "contacts.kept_requests", owner_id=owner_id, ids=asked) if asked else []
    )
    listed = (
        await sql.run(
            pool,
            "contacts.kept_people",
            owner_id=owner_id,
            event_ids=[event for event, _ in people],
            account_ids=[account for _, account in people],
            roster_days=request.app.state.settings.roster_days,
        )
        if people
        else []
    )
    still_sent = (
        await sql.run(pool, "contacts.kept_sent", owner_id=owner_id, ids=sent) if sent else []
    )
    return JSONResponse(
        {
            "kept": {str(row["id"]): shown_version(row) for row in rows},
            "requests": [str(row["id"]) for row in waiting],
            "people": [f"{row['event_id']}:{row['account_id']}" for row in listed],
            "sent": [str(row["id"]) for row in still_sent],
        },
        headers={"cache-control": "no-store"},
    )


def kept_ids(value: str, bad: str = BAD_KEPT) -> list[int]:
    """``3,5,8`` read as ids; 400 in words (``bad``) for anything else, or more than
    KEPT_AT_MOST."""
    parts = value.split(",") if value else []
    ids = [an_id(part) for part in parts[: KEPT_AT_MOST + 1]]
    if len(ids) > KEPT_AT_MOST or None in ids:
        raise HTTPException(400, bad)
    return [found for found in ids if found is not None]


def kept_people(value: str) -> list[tuple[int, int]]:
    """``4:12,4:15`` read as (event, account) pairs; 400 in words for anything else, or more
    than KEPT_AT_MOST."""
    parts = value.split(",") if value else []
    if len(parts) > KEPT_AT_MOST:
        raise HTTPException(400, BAD_PEOPLE)
    pairs = []
    for part in parts:
        event, _, account = part.partition(":")
        event_id, account_id = an_id(event), an_id(account)
        if event_id is None or account_id is None:
            raise HTTPException(400, BAD_PEOPLE)
        pairs.append((event_id, account_id))
    return pairs


routes = [Route("/contacts/kept", contacts_kept, name="contacts_kept")]
