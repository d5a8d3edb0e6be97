"""Moving a signed-in account to another browser with no email: the installed app on an
iPhone (its own cookies, apart from Safari's), or another phone.

The signed-in browser shows a short code (8 characters without look-alikes, read as two
groups of four, valid 5 minutes, once, and only while that browser stays signed in) and its
QR; the other browser types or scans it. A code
is 32^8 (about a trillion) strong, and an address gets thirty wrong tries in ten minutes
(counted by the one limits mechanism, ``server/web/limits.py``). Not five: a venue's Wi-Fi is
one address for everyone there, and the limit, reached, refuses the right code too; thirty
guesses at a trillion are nothing either way.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from datetime import timedelta
from typing import Any

from server.db.queries import Queries
from server.web import limits

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I
LENGTH = 8
MINUTES = 5
MISSES_ALLOWED = 30
MISSES = limits.Rule(
    "address-move-misses",
    MISSES_ALLOWED,
    timedelta(minutes=10),
    "Too many wrong codes. Try again {wait}, with a new code shown on the other phone.",
)
# Nothing typed (the form leaves it to us: novalidate): said, and counted as no miss.
NOTHING_TYPED = (
    f"Type the code your other phone shows: {LENGTH} letters and digits, like 7QA2-7KHB."
)


def normalize(typed: str) -> str:
    """What was typed, as the code is kept: upper case, spaces and dashes dropped. NFKC
    first, as event codes are read (``events.normalise_code``): an East Asian keyboard's
    full-width letters, digits and dash are plain ones; digits of another script (an Arabic
    phone's) are 0-9, as in the email code (``forms.ascii_digits``)."""
    kept = (ch for ch in unicodedata.normalize("NFKC", typed) if ch.isalnum())
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch.upper() for ch in kept)


def shown(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def _hash(secret_key: str, code: str) -> bytes:
    return hmac.new(secret_key.encode(), f"move\x1f{code}".encode(), hashlib.sha256).digest()


async def new_code(
    conn: Any, sql: Queries, secret_key: str, account_id: int, session_id: int
) -> tuple[str, int]:
    """A new code for the account, shown in its session ``session_id``, and its id (for asking
    what became of it). The code dies with that session: signed out there (a borrowed laptop,
    a lost phone), it signs nobody in."""
    code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    code_id: int = await sql.run(
        conn,
        "signin.new_move_code",
        account_id=account_id,
        session_id=session_id,
        code_hash=_hash(secret_key, code),
        minutes=MINUTES,
    )
    return code, code_id


async def use_code(conn: Any, sql: Queries, secret_key: str, typed: str, ip: str) -> int | None:
    """The account a typed code moves to, or None (counted as a miss); ``limits.TooMany`` (the
    words of ``MISSES``, when to try again) when this IP already missed ``MISSES_ALLOWED`` times.
    Run inside a transaction (the IP's lock is held by it)."""
    # Only wrong codes count: checked now, counted below when this one is wrong too.
    await limits.check(conn, sql, (MISSES, ip))
    code = normalize(typed)
    account_id: int | None = None
    if len(code) == LENGTH:
        account_id = await sql.run(conn, "signin.use_move_code", code_hash=_hash(secret_key, code))
    if account_id is None:
        await limits.hit(conn, sql, (MISSES, ip))
    return account_id
