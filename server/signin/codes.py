"""Sign-in codes by email: asked for with the address on a card, typed where they were asked.

Codes, not links: on an iPhone a link in an email opens in Safari, never in the app on the home
screen, while a code typed where it was asked works in either. Eight digits, ten minutes, one
use. A code works only in the browser that asked for it (``new_asker``, kept in a cookie
there): anyone may ask codes for an address, and their wrong guesses must not use up the tries
of the codes in its owner's inbox. Every code a browser asked for works until then, not only
the newest; five wrong tries there end them all (asking again gives no more guesses). Asking is
limited per address from one network, per address in all from networks its owner never signed
in from, in an hour and in a day (a stranger asking from many networks may use those up, not
the codes of her home or work), and per network for any address, sized for a venue's Wi-Fi (a
burst in ten minutes, and for sign-in codes a ceiling an hour), under advisory locks (so
concurrent requests cannot slip past). Wrong codes are not limited per network: a code works
only in the browser that asked for it, five tries, so the guesses at an address's codes are
bounded by what may be asked for it (about a hundred an hour against a hundred million codes),
and a network's count would let one prankster at a venue stop everyone's codes there. A row is
kept even for an address no card has, so the answers, and the limits, never tell whether it has
one (but past the limit in all, that its owner signed in from the network asking: only there,
and only after flooding her inbox).

The same codes confirm, before an account is deleted or merged into another, or gets a new way
of proof (``server/signin/proving.py``), that the person doing it is its owner
(``ask_for_account``): sent to its confirmed address, good only for that account and that
purpose.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from server.db.queries import Queries
from server.mail import links
from server.mail.messages import CODE_LIFETIME
from server.web import forms, limits, signing

PER_ADDRESS_PER_IP_PER_HOUR = 5  # sign-in codes for one address, asked from one network
# Sign-in codes for one address in all, asked from networks its owner never signed in from:
# what keeps its inbox from a flood and bounds the guesses at its codes. A stranger asking
# from many networks can use it up; a network the owner signed in from (her home, her work:
# a session of an account the address is confirmed for started there) still gets codes,
# within its own five.
PER_ADDRESS_PER_HOUR = 20
# And in a day (review r67): the hour's 20, kept up from four networks, made some 480 code
# emails a day to one inbox (codes ignore unsubscribing, as they must). Now a stranger's first
# hour gets the hour's 20 and the rest of the day 10 more. A person asks a code per new phone
# or browser, and again when one is slow: a few a day; and a network she signed in from still
# gets hers, as under the hour's. Counted per address, by its hash, whether a card has it or
# not (a count of emails sent would tell whether it has one), in the one limits mechanism;
# past it, none goes from other networks until the first of the day's is a day old.
PER_ADDRESS_PER_DAY = limits.Rule(
    "address-sign-in-codes-day",
    30,
    timedelta(days=1),
    "Many codes were asked for this address today. Please ask again {wait}.",
)
# Codes to delete an account or add a way of proof to it (only its sessions ask), or to merge
# it into another (only a browser it was signed in to asks): each purpose counted apart.
PER_ADDRESS_TO_DELETE_PER_HOUR = 5
# Per network, each purpose apart, in ten minutes: a venue's Wi-Fi is one address for
# everyone there, so one person asking for many must not leave the room without codes for an
# hour. Each address's own limits above keep any one inbox from a flood.
IP_SPAN = timedelta(minutes=10)
PER_IP = {"sign_in": 60, "delete": 30, "merge": 30, "prove": 30}
# And sign-in codes per network in an hour: the burst above, kept up, would be 360 emails an
# hour from one address. A code is asked once per new phone or browser (a session lasts, and
# joining an event or scanning a card asks none), so 150 is 15% of a 1,000-person venue
# signing in anew within one hour; a rush after a talk still gets its 60 in ten minutes.
PER_IP_PER_HOUR = 150
DIGITS = 8
DEAD_CODE = {
    "used": "That code was used already: each code works once. Ask for a new one.",
    # Signing in with a code ends every other code for the address (signin.use_code): one
    # another browser asked for was never typed, and "used already" sent its owner looking
    # for who had used it.
    "ended": (
        "That code stopped working: you signed in with another code in another browser or"
        " app, which ends the rest. Ask for a new one here."
    ),
    "expired": (
        f"That code has expired: codes work for {int(CODE_LIFETIME.total_seconds() // 60)}"
        " minutes. Ask for a new one."
    ),
    "tried": "That code no longer works: a code was typed wrong too often. Ask for a new one.",
    "elsewhere": (
        "That code was asked for in another browser or app: type it there, or ask for a new"
        " one here."
    ),
}
NO_LIVE_CODE = (
    "That code no longer works: it expired, was used, or was typed wrong too often."
    " Ask for a new one."
)
# The email each purpose's code travels in (server/mail/messages.py words them).
EMAIL_KINDS = {
    "sign_in": "code",
    "delete": "delete_code",
    "merge": "merge_code",
    "prove": "prove_code",
}


class TooMany(Exception):
    """Too many codes asked for lately: one more may be asked in ``retry_after`` seconds
    (``wait`` in words). ``why``: "address" (asked for it from other networks in the last
    hour), "address_day" (in the last day), "network_address" (from this network for it) or
    "network" (from this network for any); ``codes_here``: whether a code this browser asked
    for still works, so that the page asks it to type that one only when there is one."""

    def __init__(self, retry_after: int, why: str = "network", codes_here: bool = False) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after
        self.wait = limits.wait_in_words(retry_after)
        self.why = why
        self.codes_here = codes_here


@dataclass(frozen=True)
class Checked:
    account_id: int | None  # signed in as this account, or None with ``message`` saying why
    message: str = ""


def code_hash(secret_key: str, address: str, code: str) -> bytes:
    return hmac.new(secret_key.encode(), f"{address}\x1f{code}".encode(), hashlib.sha256).digest()


def new_asker() -> str:
    """What a browser keeps while it waits for codes (in a cookie), the same for each code it
    asks: its codes work there only, and a wrong code typed there costs their tries only."""
    return secrets.token_urlsafe(24)


def _asker_hash(asker: str | None) -> bytes | None:
    return hashlib.sha256(asker.encode()).digest() if asker else None


async def ask(conn: Any, sql: Queries, secret_key: str, address: str, ip: str, asker: str) -> int:
    """A code for ``address``, emailed when a card has that address, to be typed in the
    browser keeping ``asker``; TooMany over a limit. Returns the asking's id
    (``asked_address`` reads the address back from it). ``conn`` must not be in a
    transaction: this is one."""
    async with conn.transaction():
        await _within_limits(conn, sql, address, ip, asker_hash=_asker_hash(asker))
        account_id = await sql.run(conn, "signin.account_with_email", address=address)
        return await _issue(
            conn, sql, secret_key, address, ip, account_id, "sign_in", _asker_hash(asker)
        )


def asked_reference(secret_key: str, asked_id: int) -> str:
    """What the code step's URL carries instead of the address (browser history and access
    logs keep URLs): the asking's id, signed so that no other id can be tried."""
    return f"{asked_id}-{signing.sign(secret_key, 'sign-in-asked', asked_id)}"


async def asked_address(conn: Any, sql: Queries, secret_key: str, reference: str) -> str | None:
    """The address a code was asked for, from ``asked_reference``; None for anything else,
    or once the asking is gone (retention.sign_in_codes, after a day)."""
    typed_id, _, signature = reference.partition("-")
    asked_id = forms.an_id(typed_id)
    if asked_id is None or not signing.verify(secret_key, signature, "sign-in-asked", asked_id):
        return None
    address: str | None = await sql.run(conn, "signin.asked_address", id=asked_id)
    return address


async def ask_for_account(
    conn: Any,
    sql: Queries,
    secret_key: str,
    account_id: int,
    address: str,
    ip: str,
    purpose: str,
) -> None:
    """A code to ``address``, the account's confirmed one, for its owner to confirm that the
    account is to be deleted (``purpose`` "delete"), merged into another ("merge") or that
    this session may add a way of proof ("prove");
    TooMany over the limits, counted apart per address and purpose from those of signing in:
    anyone may ask sign-in codes for an address, which must not keep its owner from deleting
    their account. Only a browser the account was signed in to asks these, so they count per
    address, whatever the IP, and work only for that account (``check`` takes it). ``conn``
    must not be in a transaction: this is one."""
    async with conn.transaction():
        await _within_limits(conn, sql, address, ip, purpose)
        await _issue(conn, sql, secret_key, address, ip, account_id, purpose)


async def _within_limits(
    conn: Any,
    sql: Queries,
    address: str,
    ip: str,
    purpose: str = "sign_in",
    asker_hash: bytes | None = None,
) -> None:
    await sql.run(conn, "signin.lock_asking", address=address, ip=ip)
    asked = await sql.run(
        conn,
        "signin.asked_recently",
        address=address,
        ip=ip,
        purpose=purpose,
        ip_span=IP_SPAN,
        network=None if ip == "unknown" else ip,
        asker_hash=asker_hash,
    )
    limited = [(asked["by_ip"], PER_IP[purpose], asked["ip_wait"], "network")]
    if purpose == "sign_in":
        limited.append((asked["by_ip_hour"], PER_IP_PER_HOUR, asked["ip_hour_wait"], "network"))
        limited.append(
            (
                asked["by_address_ip"],
                PER_ADDRESS_PER_IP_PER_HOUR,
                asked["address_ip_wait"],
                "network_address",
            )
        )
        if not asked["owners_network"]:
            limited.append(
                (asked["by_address"], PER_ADDRESS_PER_HOUR, asked["address_wait"], "address")
            )
    else:
        limited.append(
            (asked["by_address"], PER_ADDRESS_TO_DELETE_PER_HOUR, asked["address_wait"], "address")
        )
    refused = [(wait, why) for count, most, wait, why in limited if count >= most]
    day: tuple[limits.Rule, object] | None = None
    if purpose == "sign_in" and not asked["owners_network"]:
        day = (PER_ADDRESS_PER_DAY, address_key(address))
        try:
            # Counts nothing; its lock holds the key until this transaction ends.
            await limits.check(conn, sql, day)
        except limits.TooMany as used_up:
            refused.append((timedelta(seconds=used_up.retry_after), "address_day"))
    if refused:
        # Said by the limit that lasts longest: asking again is possible only after it.
        wait, why = max(refused, key=lambda refusal: refusal[0])
        seconds = max(1, math.ceil(wait.total_seconds()))
        raise TooMany(seconds, why, bool(asked["codes_here"]))
    if day is not None:
        await limits.hit(conn, sql, day)


def address_key(address: str) -> str:
    """An address as a limit counts it: its hash (``address_hash()`` in sql/logic.sql, in
    hex), so that the limits' table keeps no address."""
    return hashlib.sha256(address.encode()).hexdigest()


async def _issue(
    conn: Any,
    sql: Queries,
    secret_key: str,
    address: str,
    ip: str,
    account_id: int | None,
    purpose: str,
    asker_hash: bytes | None = None,
) -> int:
    code = f"{secrets.randbelow(10**DIGITS):0{DIGITS}d}"
    code_id: int = await sql.run(
        conn,
        "signin.new_code",
        address=address,
        account_id=account_id,
        code_hash=code_hash(secret_key, address, code),
        minutes=int(CODE_LIFETIME.total_seconds() // 60),
        ip=ip,
        purpose=purpose,
        asker_hash=asker_hash,
    )
    if account_id is not None:
        await sql.run(
            conn,
            "signin.queue_code_email",
            account_id=account_id,
            address=address,
            code=code,
            kind=EMAIL_KINDS[purpose],
        )
    return code_id


async def check(
    conn: Any,
    sql: Queries,
    secret_key: str,
    address: str,
    typed: str,
    *,
    purpose: str = "sign_in",
    account_id: int | None = None,
    asker: str | None = None,
) -> Checked:
    """Whether ``typed`` is one of the live codes for ``address`` (and ``purpose``; to sign
    in, asked for by the browser keeping ``asker``; for deleting, for ``account_id`` only):
    the account it is for, or why not. Run inside a transaction (the codes' rows stay locked
    while it is checked)."""
    digits = forms.ascii_digits(typed)
    if len(digits) != DIGITS:
        # A slip of the thumb, not a guess: it costs no try.
        return Checked(None, f"Type the {DIGITS} digits from the email.")
    live = await sql.run(
        conn,
        "signin.live_codes",
        address=address,
        purpose=purpose,
        account_id=account_id,
        asker_hash=_asker_hash(asker),
    )
    typed_hash = code_hash(secret_key, address, digits)
    found = next((c for c in live if hmac.compare_digest(c["code_hash"], typed_hash)), None)
    if found is None:
        # One we sent that no longer works, or works in the browser that asked for it: said
        # why, costing no try (it is no guess).
        dead = await sql.run(
            conn, "signin.dead_code", address=address, purpose=purpose, code_hash=typed_hash
        )
        if dead is not None:
            return Checked(None, DEAD_CODE[dead])
    if not live:
        return Checked(None, NO_LIVE_CODE)
    if found is None or found["account_id"] is None:
        left = await sql.run(conn, "signin.wrong_try", ids=[c["id"] for c in live])
        if left == 0:
            return Checked(
                None, "That code is not right, and it no longer works. Ask for a new one."
            )
        return Checked(
            None, f"That code is not right. {left} {'try' if left == 1 else 'tries'} left."
        )
    await sql.run(conn, "signin.use_code", id=found["id"], address=address, purpose=purpose)
    return Checked(int(found["account_id"]))


async def check_for_account(
    conn: Any,
    sql: Queries,
    secret_key: str,
    account_id: int,
    address: str,
    typed: str,
    purpose: str,
) -> str | None:
    """Whether ``typed`` is a live code of ``purpose`` ("delete", "merge", "prove") for
    ``account_id``, sent to ``address``: None, or why not. Run inside a transaction that
    commits either way: a wrong code costs a try."""
    checked = await check(
        conn, sql, secret_key, address, typed, purpose=purpose, account_id=account_id
    )
    return None if checked.account_id == account_id else checked.message


async def opens(conn: Any, sql: Queries, address: str, account_id: int) -> bool:
    """Whether a sign-in code to ``address`` may open ``account_id`` (``code_opens()`` in
    sql/logic.sql): not an account with a way of proof whose card merely carries the address,
    which whoever held its owner's unlocked phone could have put there."""
    return bool(await sql.run(conn, "signin.opens", address=address, account_id=account_id))


NOT_CONFIRMED_HERE = (
    "This address is on a Reachout card but isn't confirmed for it yet, so it can't sign you"
    " in. Sign in with your passkey or the address you confirmed, then confirm this one in"
    " Settings."
)


async def proven(conn: Any, sql: Queries, address: str, account_id: int) -> None:
    """A code sent to ``address`` opened ``account_id`` (``opens``): it reached its owner, so
    the address is confirmed for that account."""
    await sql.run(conn, "mail.confirm", address=address, account_id=account_id, resubscribe=False)


def choice_token(secret_key: str, address: str, until: int) -> str:
    """What lets the page that asks "Which card is yours?" sign in to the one chosen: the
    right code was typed for ``address``, until ``until`` (a Unix time)."""
    return signing.sign(secret_key, "sign-in-choice", address, until)


def choice_ok(secret_key: str, address: str, until: str, token: str) -> bool:
    """The choice is ours, for ``address``, and its ten minutes have not run out (signed and
    checked as our emails' links are: ``server.mail.links``)."""
    return links.valid(secret_key, token, until, "sign-in-choice", address)
