"""The addresses we write to: what requests queue for them, within what their owners allow."""

from __future__ import annotations

from typing import Any

from server.db.queries import Queries


def normalize(address: str) -> str:
    """One spelling per mailbox: what the card form accepted, lower-cased."""
    return address.strip().lower()


async def queue_met(conn: Any, sql: Queries, account_id: int, about_id: int, email: str) -> bool:
    """ "You met <about>" to someone who just left their details (or had them typed in) on
    ``about_id``'s card, within the one-a-day limit for an unconfirmed address. Whether one
    was queued; the worker is woken at once (someone may be standing there, waiting)."""
    if not email:
        return False
    queued = await sql.run(
        conn, "mail.queue_met", account_id=account_id, about_id=about_id, address=normalize(email)
    )
    return queued is not None


async def queue_confirm(conn: Any, sql: Queries, account_id: int, email: str) -> bool:
    """ "Confirm your address", asked for in Settings. Whether one was queued."""
    address = normalize(email)
    async with conn.transaction():
        await sql.run(conn, "mail.note_address", address=address)
        queued = await sql.run(conn, "mail.queue_confirm", account_id=account_id, address=address)
        if queued is not None:
            await sql.run(conn, "mail.wake")
    return queued is not None
