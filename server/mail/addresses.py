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


# Why a confirmation asked for in Settings was not sent (mail.confirm_refused), in the words
# Settings shows, and the status it answers with.
# What another card carrying someone's address learns of it: not why.
NOT_NOW = (429, "We can't send another confirmation to that address now. Try again later.")
CONFIRM_REFUSED = {
    "waiting": (409, "A confirmation is already on its way. Open the email we sent."),
    "account": (
        429,
        "You asked for several confirmations in the last hour. Use the last one we sent,"
        " or ask again in an hour.",
    ),
    "address": NOT_NOW,
    "unsubscribed": NOT_NOW,
}


async def queue_confirm(conn: Any, sql: Queries, account_id: int, email: str) -> str | None:
    """ "Confirm your address", asked for in Settings: None when one was queued, else why
    not (a key of ``CONFIRM_REFUSED``)."""
    address = normalize(email)
    async with conn.transaction():
        await sql.run(conn, "mail.note_address", address=address)
        await sql.run(conn, "mail.lock_confirm", address=address)
        refused: str | None = await sql.run(
            conn, "mail.confirm_refused", account_id=account_id, address=address
        )
        if refused is None:
            await sql.run(conn, "mail.queue_confirm", account_id=account_id, address=address)
            await sql.run(conn, "mail.wake")
    return refused
