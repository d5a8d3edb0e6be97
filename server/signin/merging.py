"""Proving, before merging, that the account offered is the merging person's own.

Signing in where another account was signed in offers to merge that one in (its contacts,
follow-ups, notes, events, blocks and requests to connect). Whoever holds an unlocked phone
for a minute could sign in to their own account on it and take its owner's that way, so an
account with a way to confirm it is them (a confirmed address, a passkey) is merged only
after that proof, in the session merging: a code emailed to its address (its own purpose and
email, ``codes.ask_for_account``) or one of its passkeys. What proves it already: a sign-in
whose email code proved an address confirmed for it too, and a guest card, offered only for
the address the code proved. An account with neither way of proof (as "Confirm it's you"
counts them, ``proving.Ways``: an address whose mail bounces is none) has nothing but the
session that held it (``offer``).
"""

from __future__ import annotations

from typing import Any

from server.db.queries import Queries
from server.signin import codes, passkeys, proving


async def offer(conn: Any, sql: Queries, account_id: int, session_id: int) -> dict[str, Any] | None:
    """The account this session may merge in (``sessions.merge_offer``), with ``proven``:
    whether it may be merged now, as it was proven this person's, or has no way of proof."""
    row = await sql.run(conn, "sessions.merge_offer", session_id=session_id, account_id=account_id)
    if row is None:
        return None
    # Its ways of proof counted as "Confirm it's you" counts them: an address whose mail
    # bounces is none (the code may never arrive, and its owner reads mail elsewhere now).
    ways = proving.Ways(
        row["proof_address"], int(row["passkeys"]), False, bounced=bool(row["proof_bounced"])
    )
    return {**row, "proven": bool(row["proof_given"]) or not ways.proof_needed}


async def send_code(
    conn: Any, sql: Queries, secret_key: str, source: int, address: str, ip: str
) -> None:
    """A code to ``address``, confirmed for ``source``; codes.TooMany over the limits."""
    await codes.ask_for_account(conn, sql, secret_key, source, address, ip, "merge")


async def check_code(
    conn: Any,
    sql: Queries,
    secret_key: str,
    offer: Any,
    session: tuple[int, int],
    typed: str,
) -> str | None:
    """The emailed code proves ``offer``'s account is this person's; else why not. In a
    transaction, which must commit either way: a wrong code costs a try."""
    source = int(offer["account_id"])
    refused = await codes.check_for_account(
        conn, sql, secret_key, source, offer["proof_address"], typed, "merge"
    )
    if refused is None:
        await _proven(conn, sql, source, session)
    return refused


async def check_passkey(
    conn: Any, sql: Queries, base_url: str, source: int, session: tuple[int, int], credential: Any
) -> None:
    """The passkey's answer proves ``source`` is this person's; passkeys.Refused with why not.
    In a transaction."""
    await passkeys.authenticate_as(
        conn,
        sql,
        base_url,
        credential,
        source,
        "That passkey is not one of that card's. Use one made for it.",
    )
    await _proven(conn, sql, source, session)


async def _proven(conn: Any, sql: Queries, source: int, session: tuple[int, int]) -> None:
    account_id, session_id = session
    await sql.run(
        conn, "sessions.merge_proven", source=source, account_id=account_id, session_id=session_id
    )
