"""Proving, before merging, that the account offered is the merging person's own.

Signing in where another account was signed in offers to merge that one in (its contacts,
follow-ups, notes and events). Whoever holds an unlocked phone for a minute could sign in to
their own account on it and take its owner's that way, so an account with a way to confirm
it is them (a confirmed address, a passkey) is merged only after that proof, in the session
merging: a code emailed to its address (its own purpose and email, ``codes.ask_for_account``)
or one of its passkeys. What proves it already: a sign-in whose email code proved an address
confirmed for it too, and a guest card, offered only for the address the code proved. An
account with neither way of proof has nothing but the session that held it
(``sessions.merge_offer`` says which).
"""

from __future__ import annotations

from typing import Any

from server.db.queries import Queries
from server.signin import codes, passkeys


class NotTheirs(ValueError):
    """The proof was refused; the message says why, readably."""


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
    checked = await codes.check(
        conn, sql, secret_key, offer["proof_address"], typed, purpose="merge", account_id=source
    )
    if checked.account_id != source:
        return checked.message
    await _proven(conn, sql, source, session)
    return None


async def passkey_options(conn: Any, sql: Queries, base_url: str, source: int) -> str:
    """A passkey challenge the phone answers with one of ``source``'s passkeys."""
    theirs = await sql.run(conn, "passkeys.for_account", account_id=source)
    return await passkeys.authentication_options(
        conn, sql, base_url, allow=[bytes(row["credential_id"]) for row in theirs]
    )


async def check_passkey(
    conn: Any, sql: Queries, base_url: str, source: int, session: tuple[int, int], credential: Any
) -> None:
    """The passkey's answer proves ``source`` is this person's; NotTheirs with why not. In a
    transaction."""
    try:
        answered_for = await passkeys.authenticate(conn, sql, base_url, credential)
    except passkeys.Refused as refused:
        raise NotTheirs(str(refused)) from refused
    if answered_for != source:
        raise NotTheirs("That passkey is not one of that card's. Use one made for it.")
    await _proven(conn, sql, source, session)


async def _proven(conn: Any, sql: Queries, source: int, session: tuple[int, int]) -> None:
    account_id, session_id = session
    await sql.run(
        conn, "sessions.merge_proven", source=source, account_id=account_id, session_id=session_id
    )
