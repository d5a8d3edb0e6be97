"""Deleting my account, after a fresh sign-in: who may, and the deleting.

Before the final button, the person proves again that the account is theirs, in this very
session and within ``FRESH``: a code emailed to the card's confirmed address (the sign-in
codes of ``server/signin/codes.py``, for this account only) or one of its passkeys
(``server/signin/passkeys.py``). An account with neither has nothing to prove it with but the
session itself: then typing "delete" is the confirmation.

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


class NotYou(ValueError):
    """The proof was refused; the message says why, readably."""


@dataclass(frozen=True)
class Ways:
    """How this session's owner can confirm it is them, and whether they just did."""

    address: str | None  # the confirmed address a code can go to
    passkeys: int
    fresh: bool

    @property
    def proof_needed(self) -> bool:
        """A code or a passkey is asked for; without either, typing "delete" confirms."""
        return bool(self.address or self.passkeys)

    @property
    def may_delete(self) -> bool:
        return self.fresh or not self.proof_needed


async def ways(conn: Any, sql: Queries, account_id: int, session_id: int) -> Ways:
    row = await sql.run(
        conn, "deletion.ways", account_id=account_id, session_id=session_id, fresh=FRESH
    )
    if row is None:  # the session ended meanwhile: nothing to prove with
        return Ways(None, 0, False)
    return Ways(row["address"], int(row["passkeys"]), bool(row["fresh"]))


async def send_code(
    conn: Any, sql: Queries, secret_key: str, account_id: int, address: str, ip: str
) -> None:
    """A code to the confirmed address; codes.TooMany over the sign-in limits."""
    await codes.ask_to_delete(conn, sql, secret_key, account_id, address, ip)


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
    checked = await codes.check(
        conn, sql, secret_key, address, typed, purpose="delete", account_id=account_id
    )
    if checked.account_id != account_id:
        return checked.message
    await sql.run(conn, "deletion.signed_in_afresh", account_id=account_id, session_id=session_id)
    return None


async def passkey_options(conn: Any, sql: Queries, base_url: str, account_id: int) -> str:
    """A passkey challenge that the phone answers with one of this account's passkeys."""
    mine = await sql.run(conn, "passkeys.for_account", account_id=account_id)
    return await passkeys.authentication_options(
        conn, sql, base_url, allow=[bytes(row["credential_id"]) for row in mine]
    )


async def check_passkey(
    conn: Any, sql: Queries, base_url: str, account_id: int, session_id: int, credential: Any
) -> None:
    """The passkey's answer signs this session in afresh; NotYou with why not. In a
    transaction."""
    try:
        answered_for = await passkeys.authenticate(conn, sql, base_url, credential)
    except passkeys.Refused as refused:
        raise NotYou(str(refused)) from refused
    if answered_for != account_id:
        raise NotYou("That passkey belongs to another account. Use one of this account's.")
    await sql.run(conn, "deletion.signed_in_afresh", account_id=account_id, session_id=session_id)


async def delete(conn: Any, sql: Queries, account_id: int) -> bool:
    """Delete the account and everything keyed to it; whether it was there."""
    return bool(await sql.run(conn, "deletion.delete", account_id=account_id))
