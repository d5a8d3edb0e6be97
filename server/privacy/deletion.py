"""Deleting my account, after a fresh sign-in: who may, and the deleting.

Before the final button, the person proves again that the account is theirs, in this very
session and within ``FRESH``: a code emailed to an address confirmed for this account (the
sign-in codes of ``server/signin/codes.py``, for this account only), the card's when it is
confirmed, or one of its passkeys (``server/signin/passkeys.py``). An account with neither
has nothing to prove it with but the session itself: then typing "delete" is the
confirmation. What the session alone can do must not lower that bar: changing the card's
email leaves the confirmed address counting, and the last way of proof is not removed without
a fresh sign-in (``may_remove_passkey``).

The deleting is ``delete_account()`` in ``sql/logic.sql``: the cascade of every foreign key,
the organizers' counts kept as numbers, and the address erased (or kept bare when it
unsubscribed, so we never write to it again).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from server.db.queries import Queries
from server.signin import codes, passkeys

FRESH = timedelta(minutes=5)
TYPED = "delete"  # what an account with no other proof types to confirm


class LastWay(Exception):
    """The passkey is the last way to confirm it is them, and this session did not just
    confirm: it stays."""


LAST_WAY = (
    "This passkey is the only way left to confirm it's you: no email address is confirmed"
    " for your account. Without it, anyone holding this device could delete your account."
    " Confirm your email address first (under Email in Settings), then remove the passkey."
)


@dataclass(frozen=True)
class Ways:
    """How this session's owner can confirm it is them, and whether they just did."""

    address: str | None  # the confirmed address a code can go to
    passkeys: int
    fresh: bool
    on_card: bool = False  # ``address`` is the one on the card now
    bounced: bool = False  # mail to ``address`` bounced: the code may not arrive

    @property
    def proof_needed(self) -> bool:
        """A code or a passkey is asked for; without either, typing "delete" confirms."""
        return bool(self.address or self.passkeys)

    @property
    def may_delete(self) -> bool:
        return self.fresh or not self.proof_needed

    @property
    def may_remove_passkey(self) -> bool:
        """Whether one passkey may go without a fresh sign-in: another way of proof stays (an
        address or a passkey). Removing the last one would leave typing "delete" as all it
        takes, so that needs the same fresh sign-in as deleting."""
        return self.fresh or self.address is not None or self.passkeys > 1


async def ways(conn: Any, sql: Queries, account_id: int, session_id: int) -> Ways:
    row = await sql.run(
        conn, "deletion.ways", account_id=account_id, session_id=session_id, fresh=FRESH
    )
    if row is None:  # the session ended meanwhile: nothing to prove with
        return Ways(None, 0, False)
    return Ways(
        row["address"],
        int(row["passkeys"]),
        bool(row["fresh"]),
        on_card=bool(row["on_card"]),
        bounced=bool(row["bounced"]),
    )


async def send_code(
    conn: Any, sql: Queries, secret_key: str, account_id: int, address: str, ip: str
) -> None:
    """A code to the confirmed address; codes.TooMany over the sign-in limits."""
    await codes.ask_for_account(conn, sql, secret_key, account_id, address, ip, "delete")


async def check_code(
    conn: Any,
    sql: Queries,
    secret_key: str,
    account_id: int,
    session_id: int,
    address: str,
    typed: str,
) -> str | None:
    """The emailed code signs this session in afresh; else why not. In a transaction, which
    must commit either way: a wrong code costs a try (raising would give the try back)."""
    refused = await codes.check_for_account(
        conn, sql, secret_key, account_id, address, typed, "delete"
    )
    if refused is None:
        await _signed_in_afresh(conn, sql, account_id, session_id)
    return refused


async def check_passkey(
    conn: Any, sql: Queries, base_url: str, account_id: int, session_id: int, credential: Any
) -> None:
    """The passkey's answer signs this session in afresh; passkeys.Refused with why not. In a
    transaction."""
    await passkeys.authenticate_as(
        conn,
        sql,
        base_url,
        credential,
        account_id,
        "That passkey belongs to another account. Use one of this account's.",
    )
    await _signed_in_afresh(conn, sql, account_id, session_id)


async def _signed_in_afresh(conn: Any, sql: Queries, account_id: int, session_id: int) -> None:
    await sql.run(conn, "deletion.signed_in_afresh", account_id=account_id, session_id=session_id)


async def remove_passkey(
    conn: Any, sql: Queries, account_id: int, session_id: int, passkey_id: int
) -> bool:
    """Remove one of the account's passkeys; whether it was theirs. LastWay when it is the
    last way of proof and this session did not sign in afresh. In a transaction, which the
    raise rolls back."""
    # Two removals at once would each see the other's passkey still there.
    await sql.run(conn, "deletion.lock_ways", account_id=account_id)
    before = await ways(conn, sql, account_id, session_id)
    removed = await sql.run(conn, "passkeys.remove", id=passkey_id, account_id=account_id)
    if removed is None:
        return False
    if not before.may_remove_passkey:
        raise LastWay(LAST_WAY)
    return True


async def delete(conn: Any, sql: Queries, account_id: int) -> bool:
    """Delete the account and everything keyed to it; whether it was there."""
    return bool(await sql.run(conn, "deletion.delete", account_id=account_id))
