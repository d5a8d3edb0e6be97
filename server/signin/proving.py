"""Confirm it's you: the proof, in this very session and within ``FRESH``, that the person
holding the phone is the account's owner, asked before deleting the account, before adding a
way of proof (a passkey, an address confirmed for it) and before merging another account into
it (which brings the addresses confirmed for that one: ``server/signin/merge_routes.py``).

Whoever holds an unlocked phone for a minute is signed in, and must not be able to add their
own passkey or address: either would sign them in as its owner from anywhere, for good. So an
account with a way of proof (an address confirmed for it, a passkey) proves it is them again:
a code emailed to that address (``server/signin/codes.py``, for this account only), the
card's when it is confirmed, or one of its passkeys (``server/signin/passkeys.py``). A sign-in
by email code or passkey is such a proof too (``sessions.start``); a move code is not. An
account with neither has nothing to prove it with but the session itself: its first way of
proof is added freely. An address whose mail bounced is no way of proof: an owner whose only
address bounces reads mail elsewhere now, and could otherwise never add the address they read
(adding it would ask for a code to the one that bounces). Every passkey is a way of proof,
one added before a passkey had to ask for a face, fingerprint or PIN too: were it none,
whoever holds the unlocked phone could add their own and remove it. Its proof asks for the
face only once its phone has said it can (``passkeys.authenticate``), so an owner whose key
only takes a tap is not stuck.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from server.db.queries import Queries
from server.signin import codes, passkeys

# "Confirm it's you" before adding a passkey lands on Settings with this query parameter
# (settings.confirm_routes): "Add a passkey" is the next step, said and focused then, not on
# later visits within the minutes the confirmation counts, nor once the passkey is added (a
# notice says that).
PASSKEY_NEXT = ("confirmed", "passkey")

FRESH = timedelta(minutes=5)
FRESH_MINUTES = int(FRESH.total_seconds() // 60)
NOT_THEIRS = "That passkey belongs to another account. Use one of this account's."
NO_ADDRESS = "No email address is confirmed for your account to send a code to."


class NoAddress(Exception):
    """No address is confirmed for the account: no code can go anywhere."""


@dataclass(frozen=True)
class Ways:
    """How this session's owner can confirm it is them, and whether they just did."""

    address: str | None  # the confirmed address a code can go to
    passkeys: int
    fresh: bool
    on_card: bool = False  # ``address`` is the one on the card now
    bounced: bool = False  # mail to ``address``, and to every other one confirmed, bounced

    @property
    def reachable(self) -> bool:
        """A code by email is a way of proof: a confirmed address whose mail does not bounce."""
        return self.address is not None and not self.bounced

    @property
    def proof_needed(self) -> bool:
        """The account has a way of proof: a code or a passkey is asked for."""
        return self.reachable or self.passkeys > 0

    @property
    def proven(self) -> bool:
        """What needs proof may go ahead in this session: it proved it just now, or the account
        has nothing to prove it with (the session is all there is)."""
        return self.fresh or not self.proof_needed

    @property
    def may_remove_passkey(self) -> bool:
        """Whether one passkey may go without a fresh proof: another way of proof stays (an
        address whose mail does not bounce, or a passkey: every passkey is one). Removing the
        last one would leave the session alone as all it takes, so that needs the same fresh
        proof as deleting."""
        return self.fresh or self.reachable or self.passkeys > 1


async def ways(
    conn: Any, sql: Queries, account_id: int, session_id: int, fresh: timedelta = FRESH
) -> Ways:
    """The account's ways of proof, and whether this session proved it within ``fresh``."""
    row = await sql.run(
        conn, "proving.ways", account_id=account_id, session_id=session_id, fresh=fresh
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
    pool: Any, sql: Queries, secret_key: str, session: tuple[int, int], ip: str, purpose: str
) -> str:
    """ "Email me a code": to the address confirmed for this session's (account, session)
    owner, for ``purpose`` ("delete", or "prove" to add a way of proof: each its own email).
    The address it went to; NoAddress when there is none, codes.TooMany over the limits."""
    account_id, session_id = session
    address = (await ways(pool, sql, account_id, session_id)).address
    if address is None:
        raise NoAddress(NO_ADDRESS)
    async with pool.acquire() as conn:
        await codes.ask_for_account(conn, sql, secret_key, account_id, address, ip, purpose)
    return address


async def check_code(
    pool: Any, sql: Queries, secret_key: str, session: tuple[int, int], typed: str, purpose: str
) -> str | None:
    """The emailed code proves afresh that this session's owner is them; else why not. Its
    own transaction, which commits either way: a wrong code costs a try (raising would give
    the try back)."""
    account_id, session_id = session
    address = (await ways(pool, sql, account_id, session_id)).address
    if address is None:
        return "No email address is confirmed for your account any more."
    async with pool.acquire() as conn, conn.transaction():
        refused = await codes.check_for_account(
            conn, sql, secret_key, account_id, address, typed, purpose
        )
        if refused is None:
            await _proven(conn, sql, account_id, session_id)
    return refused


async def check_passkey(
    conn: Any, sql: Queries, base_url: str, session: tuple[int, int], credential: Any
) -> None:
    """The passkey's answer proves afresh that this session's owner is them;
    passkeys.Refused with why not. In a transaction."""
    account_id, session_id = session
    await passkeys.authenticate_as(conn, sql, base_url, credential, account_id, NOT_THEIRS)
    await _proven(conn, sql, account_id, session_id)


async def _proven(conn: Any, sql: Queries, account_id: int, session_id: int) -> None:
    await sql.run(conn, "proving.signed_in_afresh", account_id=account_id, session_id=session_id)
