"""Blocking a person (from a contact, a request or an event's roster) and lifting it again.

Whether two people are kept apart is one rule, ``blocked_between()``/``blocked_with()`` in
``sql/logic.sql``, which every swap, request, roster, match list and bump crowd asks.
"""

from __future__ import annotations

import asyncpg

from server.db.pool import Connection, transaction
from server.db.queries import Queries


async def block(
    conn: asyncpg.Pool | Connection, sql: Queries, blocker_id: int, blocked_id: int
) -> bool:
    """Block, and end what is between the two: their connection both ways (no undo), their
    follow-ups and what was queued for them, requests either way. A swap or an Undo between
    the two at the same moment waits for it, and then finds the block.

    False, with nothing done, when either account was deleted a moment ago (after the page
    with the Block button was shown): its deletion took everything between the two, and
    nobody is left to block, so it is done, not a foreign-key error (a 500).

    Held in the order the deleting of either account takes them (``hold_to_delete()``): the
    pair's follow-ups (``contacts.hold_pair_followups``, as a Remove), then both accounts,
    then what ``block`` deletes; so a deletion under way is waited for, or waits, never both
    at once."""
    async with transaction(conn) as held:
        await sql.run(held, "contacts.lock_pair", account_id=blocker_id, other_id=blocked_id)
        await sql.run(
            held, "contacts.hold_pair_followups", owner_id=blocker_id, other_id=blocked_id
        )
        if not await sql.run(
            held, "blocks.hold_both", blocker_id=blocker_id, blocked_id=blocked_id
        ):
            return False
        await sql.run(held, "blocks.block", blocker_id=blocker_id, blocked_id=blocked_id)
    return True


async def unblock(
    conn: asyncpg.Pool | Connection, sql: Queries, blocker_id: int, blocked_id: int
) -> bool:
    """Lift my block; False when I had none on them. The old connection does not come back,
    so a guest card I had blocked, kept only by the block, goes with it."""
    async with transaction(conn) as held:
        lifted = await sql.run(held, "blocks.unblock", blocker_id=blocker_id, blocked_id=blocked_id)
        if lifted is None:
            return False
        await sql.run(held, "blocks.forget_if_lone", account_id=blocked_id)
    return True
