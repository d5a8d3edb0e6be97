"""Answering a request to connect: accept, decline, or decline and block. Asked from the
request's buttons (``answer_routes.py``), and by asking back someone who asked me first
(``ask_routes.py``)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from server.contacts import blocks
from server.contacts.contacts import swap_said
from server.db.pool import Connection
from server.swaps.connect import connect
from server.web.htmx import redirect
from server.web.notices import with_notice
from server.web.urls import url_path


async def decide(request: Request, account_id: int, request_id: int, decision: str) -> Response:
    """Answer the request, if it was sent to ``account_id``; answered already, where that
    answer went."""
    accept = decision == "accept"
    pool, sql = request.app.state.pool, request.app.state.sql
    async with pool.acquire() as conn, conn.transaction():
        asker = await sql.run(conn, "requests.lock_pair", id=request_id, to_id=account_id)
        if asker is not None and decision != "decline":
            # Both accounts before the request, as the deleting of either holds its account
            # before its cascade reaches the request: a deleting under way is waited for, and
            # the request is then gone with it, as when it went before the press; one begun
            # meanwhile waits for this answer. A block takes the pair's follow-ups before the
            # accounts (blocks.block), as the deleting does: those first. A plain Decline
            # writes the request alone (no key of it changes, so no account is asked for):
            # it waits for nothing and is said at once, and a deleting takes it after.
            if decision == "block":
                await sql.run(
                    conn, "contacts.hold_pair_followups", owner_id=account_id, other_id=asker
                )
            await sql.run(conn, "requests.hold_both", from_id=asker, to_id=account_id)
        # Still from the asker read and held: a merge of the asker's card into another
        # account while this waited moved it there, and it reads as gone (requests.decide).
        decided = await sql.run(
            conn,
            "requests.decide",
            id=request_id,
            to_id=account_id,
            from_id=asker,
            status="accepted" if accept else "declined",
        )
        if decided is None:
            # Answered already (tapped twice, or on another device): where that answer went,
            # not "not waiting" for what was just done.
            decided = await sql.run(
                conn, "requests.answered", id=request_id, to_id=account_id, from_id=asker
            )
            if decided is None:
                raise HTTPException(404, "That request is not waiting for you.")
            if decided["status"] == "accepted":
                if decided["contact_id"] is None:  # connected, and deleted since
                    return redirect(request, url_path(request, "requests"))
                return redirect(
                    request,
                    await _accepted_url(
                        request, conn, account_id, decided["from_id"], decided["contact_id"]
                    ),
                )
            if decision != "block":
                return redirect(request, with_notice(url_path(request, "requests"), "declined"))
            # Declined, and now "Decline and block": the block is still wanted.
            accept = False
        accepted = None
        if accept:
            # The same two-way connection as a swap, with follow-ups, tagged with the event.
            contact_id = await connect(
                conn, sql, account_id, decided["from_id"], event_id=decided["event_id"]
            )
            accepted = await _accepted_url(
                request, conn, account_id, decided["from_id"], contact_id
            )
        if decision == "block":
            await blocks.block(conn, sql, account_id, decided["from_id"])
    if decision == "block":
        return redirect(request, with_notice(url_path(request, "requests"), "blocked"))
    if accepted is not None:
        return redirect(request, accepted)
    return redirect(request, with_notice(url_path(request, "requests"), "declined"))


async def _accepted_url(
    request: Request, conn: Connection, account_id: int, other_id: int, contact_id: int
) -> str:
    """Their contact page, saying what the accept made. It adds nothing to an earlier swap
    by a card that asks first and still waits to be accepted, either way: said as it is."""
    sql = request.app.state.sql
    notice = await swap_said(conn, sql, account_id, other_id)
    return with_notice(url_path(request, "contact", contact_id=contact_id), notice)
