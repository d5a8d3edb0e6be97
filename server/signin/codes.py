"""Sign-in codes by email: asked for with the address on a card, typed where they were asked.

Codes, not links: on an iPhone a link in an email opens in Safari, never in the app on the
home screen, while a code typed where it was asked works in either. Eight digits, ten
minutes, one use, five tries. Asking is limited per address and per IP under advisory locks
(so concurrent requests cannot slip past), and a row is kept even for an address no card
has, so the answers, and the limits, never tell whether it has one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from server.db.queries import Queries
from server.mail.messages import CODE_LIFETIME

PER_ADDRESS_PER_HOUR = 5
PER_IP_PER_HOUR = 20
DIGITS = 8


class TooMany(Exception):
    """Too many codes asked for this address or from this IP in the last hour."""


@dataclass(frozen=True)
class Checked:
    account_id: int | None  # signed in as this account, or None with ``message`` saying why
    message: str = ""


def code_hash(secret_key: str, address: str, code: str) -> bytes:
    return hmac.new(secret_key.encode(), f"{address}\x1f{code}".encode(), hashlib.sha256).digest()


async def ask(conn: Any, sql: Queries, secret_key: str, address: str, ip: str) -> None:
    """A code for ``address``, emailed when a card has that address; TooMany over a limit.
    ``conn`` must not be in a transaction: this is one."""
    async with conn.transaction():
        await sql.run(conn, "signin.lock_asking", address=address, ip=ip)
        asked = await sql.run(conn, "signin.asked_recently", address=address, ip=ip)
        if asked["by_address"] >= PER_ADDRESS_PER_HOUR or asked["by_ip"] >= PER_IP_PER_HOUR:
            raise TooMany
        account_id = await sql.run(conn, "signin.account_with_email", address=address)
        code = f"{secrets.randbelow(10**DIGITS):0{DIGITS}d}"
        await sql.run(
            conn,
            "signin.new_code",
            address=address,
            account_id=account_id,
            code_hash=code_hash(secret_key, address, code),
            minutes=int(CODE_LIFETIME.total_seconds() // 60),
            ip=ip,
        )
        if account_id is not None:
            await sql.run(
                conn, "signin.queue_code_email", account_id=account_id, address=address, code=code
            )


async def check(conn: Any, sql: Queries, secret_key: str, address: str, typed: str) -> Checked:
    """Whether ``typed`` is the live code for ``address``: the account to sign in to, or why
    not. Run inside a transaction (the code's row stays locked while it is checked)."""
    live = await sql.run(conn, "signin.live_code", address=address)
    if live is None:
        return Checked(None, "That code has expired or was already used. Ask for a new one.")
    digits = "".join(ch for ch in typed if ch.isdigit())
    right = len(digits) == DIGITS and hmac.compare_digest(
        live["code_hash"], code_hash(secret_key, address, digits)
    )
    if not right or live["account_id"] is None:
        left = await sql.run(conn, "signin.wrong_try", id=live["id"])
        if left == 0:
            return Checked(
                None, "That code is not right, and it no longer works. Ask for a new one."
            )
        return Checked(
            None, f"That code is not right. {left} {'try' if left == 1 else 'tries'} left."
        )
    await sql.run(conn, "signin.use_code", address=address)
    await sql.run(conn, "mail.confirm", address=address)  # it reached its owner: confirmed
    return Checked(int(live["account_id"]))
