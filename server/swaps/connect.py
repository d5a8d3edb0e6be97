"""Connecting two people: the one operation behind every swap (QR, code, bump, request, sync)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg
from starlette.requests import Request

from server.cards import fields
from server.db.pool import Connection, transaction
from server.db.queries import Queries
from server.mail import addresses
from server.swaps import rates
from server.web.auth import viewer
from server.web.errors import Titled

# The same words whoever blocked whom, and for every way of swapping: a block is not announced.
REFUSED = "You can't swap details with this person on Reachout."


class SwapRefused(Titled):
    """The two cannot be connected: one of them blocked the other."""

    def __init__(self) -> None:
        super().__init__(403, REFUSED, title="Can't swap")


async def connect(
    conn: asyncpg.Pool | Connection,
    sql: Queries,
    account_id: int,
    other_id: int,
    *,
    event_id: int | None = None,
    met_at: datetime | None = None,
    pending: bool = False,
) -> int:
    """Connect both ways, with a follow-up on each side (idempotent).

    Returns ``account_id``'s contact row for ``other_id``. ``event_id`` tags the
    connection with an event; otherwise the one both are at now, if any. ``pending``: the
    other's card asks for details first, so they share it only once they accept. Raises
    ``SwapRefused`` when either blocked the other (nothing is written then).
    """
    async with transaction(conn) as held:
        # A block at the same moment: one waits for the other (blocks.block).
        await sql.run(held, "contacts.lock_pair", account_id=account_id, other_id=other_id)
        contact_id: int | None = await sql.run(
            held,
            "contacts.connect",
            account_id=account_id,
            other_id=other_id,
            event_id=event_id,
            met_at=met_at,
            pending=pending,
        )
        if contact_id is None:
            # A concurrent swap made the connection after our statement's snapshot.
            contact_id = await sql.run(
                held, "contacts.id_for", owner_id=account_id, contact_id=other_id
            )
    if contact_id is None:
        # Neither made nor there: only a block between the two keeps the statement from both.
        raise SwapRefused
    return contact_id


@dataclass(frozen=True)
class Guest:
    contact_id: int  # my contact row for them
    emailed: bool  # "You met <me>" is on its way to them (not: no address, or none allowed)
    # Typed before (``typed_before``): nothing was made; ``name`` is the card's as it was.
    known: bool = False
    name: str = ""
    filled: bool = False  # blanks of the card typed before were filled in from this one


async def typed_before(
    conn: Connection, sql: Queries, account_id: int, address: str, values: dict[str, str]
) -> Guest | None:
    """The guest card I typed before with this address (or, with none, this phone) and still
    have in contacts: blanks of it filled from ``values``, nothing made or mailed again.
    Typing again when unsure the first save worked (crowded venue, bad Wi-Fi) is no second
    contact. Holds the guest's lock (owner and address) until the transaction ends, so two
    saves at once make one guest. ``None``: a new guest (made in the same transaction)."""
    phone = values.get("phone", "")
    if not address and not phone:
        return None  # known by a LinkedIn alone: too loose to call the same person
    await sql.run(conn, "guests.lock_typed", owner_id=account_id, address=address, phone=phone)
    found = await sql.run(
        conn, "guests.typed_before", owner_id=account_id, address=address, phone=phone
    )
    if found is None:
        return None
    filled = await sql.run(
        conn,
        "guests.fill_typed",
        guest_id=found["guest_id"],
        phone=phone,
        linkedin=values.get("linkedin", ""),
        headline=values.get("headline", ""),
    )
    return Guest(int(found["contact_id"]), False, True, found["name"], bool(filled))


async def create_guest(
    request: Request,
    account_id: int,
    values: dict[str, str],
    conn: Connection | None = None,
    *,
    met_at: datetime | None = None,
) -> Guest:
    """A card for a guest typed in on my phone (no session: this phone is not theirs),
    connected both ways. ``met_at``: when they were typed in, for one queued offline and
    synced later (None: now); the contact, its event and its follow-up are placed then.
    A guest I typed before and still have (``typed_before``) is that one, not a second."""
    sql = request.app.state.sql
    async with transaction(conn or request.app.state.pool) as held:
        address = addresses.normalize(values.get("email", ""))
        if await sql.run(held, "blocks.address_blocked", account_id=account_id, address=address):
            # Their address, typed for them by someone they blocked (or blocked): as a swap.
            raise SwapRefused
        known = await typed_before(held, sql, account_id, address, values)
        if known is not None:
            return known
        await rates.guest(held, request, account_id, emailed=address != "")
        # The guest is standing next to me: my time zone, as looked up with my session.
        row = await sql.run(
            held,
            "accounts.join_with_details",
            token_hash=None,
            sharer_id=account_id,
            time_zone=viewer(request).time_zone,
            met_at=met_at,
            **fields.card_values(values),
        )
        assert row is not None
        # The guest has no app: "You met <me>" by email is how they hear from us.
        emailed = await addresses.queue_met(
            held, sql, row["newcomer_id"], account_id, values.get("email", "")
        )
    return Guest(int(row["sharer_contact"]), emailed, name=values["name"])
