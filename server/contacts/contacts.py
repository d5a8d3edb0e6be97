"""Finding my contacts: one by id (only mine), search patterns, and the links to them; removing
one, with a few seconds to undo; whom a contact page names, even just after a Remove."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import asyncpg
from starlette.exceptions import HTTPException
from starlette.requests import Request

from server.db.pool import Connection, transaction
from server.db.queries import Queries
from server.followups import wording
from server.web.auth import signed_in_account
from server.web.forms import an_id, read_form, text
from server.web.notices import swap_notice, with_notice
from server.web.urls import url_path

# The guard on every handler that opens one of my contacts.
NO_CONTACTS = "Save your card first; the people you swap with show up here."


def like_pattern(query: str) -> str | None:
    """What was typed as a LIKE pattern for a substring (None: nothing typed). Its words are
    one space apart, escaped each: ``contacts.search`` takes them apart again, to match
    each word on its own."""
    query = " ".join(query.split())[:100]
    if not query:
        return None
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# The same answer for "not yours" and "does not exist": ids reveal nothing.
NOT_IN_LIST = "That contact is not in your list."


async def load_contact(request: Request) -> tuple[int, Any]:
    owner_id = signed_in_account(request)
    contact = await request.app.state.sql.run(
        request.app.state.pool,
        "contacts.get",
        id=request.path_params["contact_id"],
        owner_id=owner_id,
    )
    if contact is None:
        raise HTTPException(404, NOT_IN_LIST)
    # Less than their whole card: they chose "name and headline" for me, or their card asks
    # for details first and they have yet to accept me; only the second is worth waiting for.
    waiting = not contact["whole"] and await awaits_accept(
        request.app.state.pool, request.app.state.sql, owner_id, contact["contact_id"]
    )
    return owner_id, {**contact, "waiting": waiting}


async def awaits_accept(
    conn: asyncpg.Pool | Connection, sql: Queries, owner_id: int, other_id: int
) -> bool:
    """Whether ``other_id`` has yet to accept ``owner_id``: their card asks for details
    first, so ``owner_id`` sees only their name, headline and photo until then."""
    seen = await sql.run(conn, "contacts.visit", viewer_id=owner_id, owner_id=other_id)
    return seen is not None and seen["sharing"] == "pending"


async def load_followup(request: Request, contact: Any) -> Any:
    """My follow-up for one of my contacts (as ``load_contact`` gave it), or None."""
    return await request.app.state.sql.run(
        request.app.state.pool,
        "followups.for_contact",
        contact_id=contact["id"],
        owner_id=signed_in_account(request),
    )


async def unreached_fix(request: Request, followup: Any) -> str | None:
    """What would let a reminder of ``followup`` reach me, when none can yet
    (``wording.unreached_fix``, the words Follow-ups uses); None when one can, or when there
    is no follow-up. The contact page and its #followup fragment both say it of an open one;
    of one done or off, its "Remind me tomorrow" becomes "Follow up tomorrow"."""
    if followup is None:
        return None
    reach = await request.app.state.sql.run(
        request.app.state.pool, "followups.reminders_reach", account_id=signed_in_account(request)
    )
    return wording.unreached_fix(reach)


async def swap_said(
    conn: asyncpg.Pool | Connection, sql: Queries, account_id: int, other_id: int
) -> str:
    """The notice a swap of ``account_id`` with ``other_id`` lands with (``swap_notice``),
    read back both ways rather than taken from the cards: a swap adds nothing to an earlier
    scan of a card that asks first and still waits to be accepted, whichever side scanned."""
    return swap_notice(
        they_wait=await awaits_accept(conn, sql, account_id, other_id),
        i_wait=await awaits_accept(conn, sql, other_id, account_id),
    )


def new_contact_url(request: Request, contact_id: int, notice: str) -> str:
    """Where a swap lands: the new contact's page, with the ``notice`` ``swap_said`` gave."""
    return with_notice(url_path(request, "contact", contact_id=contact_id), notice)


# How long "Undo" works after removing a contact: time to see the notice and reach the
# button with one thumb (a phone's "undo" bar shows for 4 to 10 s), not so long that the
# other person sees my card vanish and then come back a while later.
UNDO_SECONDS = 10


# The hidden field of the contact page's Remove and Block forms: the account the page is about,
# for when a merge has taken the row in the URL away (``person_of``).
PERSON = "person"


async def person_of(request: Request) -> tuple[int, int]:
    """Me and the person of my contact row in the URL, for Remove and Block: from the row, or
    from a Remove that took it a moment ago and may still be undone (``contacts.person_of``).
    Neither, because a merge took the card the page names into another account of theirs
    and made my two rows about them one (the page was read before): the account kept, the
    person meant, found from the form's ``PERSON`` through the merge (``merged_into``), and
    only when I have a contact row with it, so that nothing is done that its own page would
    not do. The field is read for nothing else: a row there decides, and an account named
    that was never merged away is no proof of anything. 404 otherwise, in the words
    ``load_contact`` uses (``NOT_IN_LIST``)."""
    owner_id = signed_in_account(request)
    pool, sql = request.app.state.pool, request.app.state.sql
    other_id: int | None = await sql.run(
        pool, "contacts.person_of", id=request.path_params["contact_id"], owner_id=owner_id
    )
    if other_id is None:
        named = an_id(text(await read_form(request), PERSON))
        if named is not None:
            other_id = await merged_into(pool, sql, owner_id, named)
    if other_id is None:
        raise HTTPException(404, NOT_IN_LIST)
    return owner_id, other_id


async def remove(pool: asyncpg.Pool, sql: Queries, owner_id: int, other_id: int) -> int | None:
    """Remove a contact both ways, at once; returns the removal to undo (None: already gone).
    Two statements: the pair's follow-ups held first, so what is kept for Undo is read after
    a worker queueing their reminder is done (``contacts.hold_pair_followups``), and before the
    contact rows, as the deleting of either account takes them (``hold_to_delete()``). Gone
    already because they removed me a moment ago: their Undo ends now, as both of us want it
    so; or because they deleted their account meanwhile."""
    async with transaction(pool) as conn:
        # Their Undo at the same moment waits for this, or this for it (undo_removal).
        await sql.run(conn, "contacts.lock_pair", account_id=owner_id, other_id=other_id)
        await sql.run(conn, "contacts.hold_pair_followups", owner_id=owner_id, other_id=other_id)
        removal_id: int | None = await sql.run(
            conn,
            "contacts.remove",
            owner_id=owner_id,
            other_id=other_id,
            undo_seconds=UNDO_SECONDS,
        )
        if removal_id is None:
            await sql.run(conn, "contacts.keep_removed", owner_id=owner_id, other_id=other_id)
    return removal_id


async def undo_removal(
    conn: asyncpg.Pool | Connection, sql: Queries, owner_id: int, removal_id: int
) -> int | None:
    """Put a removal back as it was, while it may be; returns my contact row again, or None
    when it is too late (or not mine, or a block came between the two meanwhile).

    Undone with the person whose pair it held (``contacts.undo_removal``). A merge that moved
    the removal to the account it kept while this waited for its holds is undone there, by a
    try of its own that holds that pair, in the one order: the removal is still open, and
    "too late" would be untrue (each move is a merge, which ends an account: few tries)."""
    while True:
        try:
            async with transaction(conn) as held:
                # A block at the same moment: one waits for the other (blocks.block).
                other_id = await sql.run(
                    held, "contacts.lock_removal_pair", id=removal_id, owner_id=owner_id
                )
                contact_id: int | None = await sql.run(
                    held,
                    "contacts.undo_removal",
                    id=removal_id,
                    owner_id=owner_id,
                    other_id=other_id,
                )
                if contact_id is not None:
                    return contact_id
                moved = await sql.run(
                    held,
                    "contacts.removal_moved",
                    id=removal_id,
                    owner_id=owner_id,
                    other_id=other_id,
                )
        except asyncpg.IntegrityConstraintViolationError:
            # Something it hung off went meanwhile in a way the query did not foresee: the
            # statement changed nothing, and the removal stands.
            return None
        if not moved:
            return None


T = TypeVar("T")


async def following_merges(
    pool: asyncpg.Pool,
    sql: Queries,
    owner_id: int,
    other_id: int,
    act: Callable[[int], Awaitable[T]],
) -> T:
    """``act(other_id)``, for Remove and Block; when it finds nobody (a falsy answer) because a
    merge took their card into another account of theirs, again on that account, the person
    meant (``merged_into``: 404 when it is no contact of mine). Each hop is a merge, which
    ends an account: few tries."""
    while not (done := await act(other_id)):
        kept = await merged_into(pool, sql, owner_id, other_id)
        if kept is None:
            break
        other_id = kept
    return done


async def merged_into(
    conn: asyncpg.Pool | Connection, sql: Queries, owner_id: int, other_id: int
) -> int | None:
    """Whom a Remove or Block of ``other_id`` meant, once their account is gone from under it:
    the account a merge took their card into, from a page opened before the merge (pressed
    during it, or after it with the page's ``PERSON``: ``person_of``). None when they were
    not merged away (deleted: nothing is left between us). 404 when they were, into someone
    I have no contact row with, in the words ``load_contact`` uses."""
    kept = await sql.run(conn, "contacts.merged_into", owner_id=owner_id, other_id=other_id)
    if kept is None:
        return None
    if not kept["in_list"]:
        raise HTTPException(404, NOT_IN_LIST)
    return int(kept["target"])
