"""Deleting my account, after "Confirm it's you": who may, and the deleting.

Before the final button, the person proves again that the account is theirs, in this very
session (``server/signin/proving.py``: a code to an address confirmed for it, or one of its
passkeys, within ``proving.FRESH``). An account with neither has nothing to prove it with but
the session itself: then typing "delete" is the confirmation. What the session alone can do
must not lower that bar: changing the card's email leaves the confirmed address counting,
adding a way of proof needs the same proof, and the last way of proof is not removed without
it (``remove_passkey``).

The deleting is ``delete_account()`` in ``sql/logic.sql``: the cascade of every foreign key,
the organizers' counts kept as numbers, and the address erased (or kept bare when it
unsubscribed, so we never write to it again).
"""

from __future__ import annotations

from typing import Any

from server.db.queries import Queries
from server.signin import proving

TYPED = "delete"  # what an account with no other proof types to confirm
PURPOSE = "delete"  # its code, and the email that carries it (codes.EMAIL_KINDS)


class LastWay(Exception):
    """The passkey is the last way to confirm it is them, and this session did not just
    confirm: it stays."""


LAST_WAY = (
    "This passkey is the only way left to confirm it's you: no email address we can reach is"
    " confirmed for your account. Without it, anyone holding this device could delete your account."
    " Confirm your email address first (under Email in Settings), then remove the passkey."
)


async def remove_passkey(
    conn: Any, sql: Queries, account_id: int, session_id: int, passkey_id: int
) -> bool:
    """Remove one of the account's passkeys; whether it was theirs. LastWay when it is the
    last way of proof and this session did not sign in afresh. In a transaction, which the
    raise rolls back."""
    # Two removals at once would each see the other's passkey still there.
    await sql.run(conn, "proving.lock_ways", account_id=account_id)
    before = await proving.ways(conn, sql, account_id, session_id)
    removed = await sql.run(conn, "passkeys.remove", id=passkey_id, account_id=account_id)
    if removed is None:
        return False
    if not before.may_remove_passkey:
        raise LastWay(LAST_WAY)
    return True


async def delete(conn: Any, sql: Queries, account_id: int) -> bool:
    """Delete the account and everything keyed to it; whether it was there. In a transaction.

    What an email's button pressed for it holds first (server/mail/routes.py), as a merge of
    it does, delete_account() holds first too, in their order: its follow-ups, its reminders
    lock, its sessions, then the account. A press under way is waited for (done, as if
    pressed a moment before); one pressed meanwhile waits, then says the account is gone."""
    return bool(await sql.run(conn, "deletion.delete", account_id=account_id))
