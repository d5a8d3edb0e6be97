"""Swaps a phone queued while offline, performed once it is back online.

Each action carries a key the phone made. The key is claimed in the same
transaction that makes the swap and records the answer, so a replay (the page
and the service worker both sending, or a lost response) gets the first answer
back and never connects twice; a key reused for a different swap is refused.
The Tap screen's forms claim the key they are sent with the same way (``keyed``,
``claim``, ``record``): the copy queued after an answer the network lost is no second swap.
An action queued under an account merged into the one signed in since is made as this one
(``made_by``); the phone asks which of the accounts its queue names were (``merged_of``).

Only what a second sending must not do again is kept (``kept``): a swap made, and a wrong code
(a guess counted). Any other refusal did nothing, and is worked out anew, alike, when its key
comes again: kept, a script's fresh keys would each leave a row for ``RETAIN_SYNCED_DAYS``.
Refusals, and look-ups, are limited per account and address (``rates``).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request

from server.cards import fields
from server.cards.cards import phone_region
from server.contacts.contacts import new_contact_url, swap_said
from server.db.pool import Connection
from server.db.queries import Executor, Queries
from server.swaps import rates
from server.swaps.connect import Guest, SwapRefused, connect, create_guest
from server.swaps.visits import SELF, card_for_token
from server.tap import codes
from server.web import limits
from server.web.urls import url_path

KINDS = ("scan", "code", "guest")
# A guest typed on my own phone may sync from yesterday's event, not from last month: it only
# ever makes my own contact.
OLDEST = timedelta(days=7)
# A scan or a typed code reaches someone else, so its moment may go back only 10 minutes: a
# phone sends its queue as soon as it is back online, within minutes in practice, and 10
# minutes is one code's whole life (a code typed in its last second still counts). Older
# moments are taken as 10 minutes ago: a code or link dead by then stays dead, and nobody's
# met_at or event is set to an earlier moment of the sender's choosing.
RECENT = timedelta(minutes=10)
KEY_REUSED = "This swap was already sent with different details. Scan or type it again."


class Answer(Exception):
    """An answer to give now, with nothing of the action kept (so it can be retried)."""

    def __init__(self, status_code: int, body: dict[str, Any]) -> None:
        self.status_code = status_code
        self.body = body


def failed(status_code: int, message: str) -> tuple[int, dict[str, Any]]:
    return status_code, {"status": "failed", "message": message}


@dataclass(frozen=True)
class Stamp:
    """When a queued action was made and when it was sent, both by the phone's clock
    (milliseconds since 1970, as ``Date.now()``), as the phone sent them: anything at all."""

    made_at: object
    sent_at: object = None


def _ms(value: object) -> float | None:
    """A reading of the phone's clock, or None for anything that is not a finite number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        ms = float(value)
    except OverflowError:  # an integer of 400 digits
        return None
    return ms if math.isfinite(ms) else None


def made_at(stamp: Stamp, now: datetime, kind: str = "guest") -> datetime:
    """When the swap happened, by our clock: not in the future and at most ``RECENT`` back for
    a scan or a code (``OLDEST`` for a guest typed on this phone).

    A phone's clock may be minutes off (set by hand, or never synced), and a code typed at once
    on a phone running slow would seem typed before the code existed. So when the phone says
    when it sent the action (``sent_at``, by the same clock), the swap is placed that long
    before ``now``: the difference of two readings of one clock holds whatever its offset.
    Only ``made_at`` (a phone whose outbox predates ``sent_at``) is taken as it is.
    """
    made, sent = _ms(stamp.made_at), _ms(stamp.sent_at)
    if made is None:
        return now
    oldest = now - (OLDEST if kind == "guest" else RECENT)
    if sent is not None:
        # Time on the phone runs forward (a clock set back meanwhile is no time at all), and
        # no further back than the bound below, before timedelta overflows.
        elapsed = min(max(0.0, sent - made), (now - oldest) / timedelta(milliseconds=1))
        return now - timedelta(milliseconds=elapsed)
    try:
        moment = datetime.fromtimestamp(made / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return now
    return min(max(moment, oldest), now)


def parse(body: object) -> tuple[uuid.UUID, str, dict[str, Any], Stamp]:
    """The key, kind, payload and moment of a queued action, or an ``Answer`` refusing it."""
    if not isinstance(body, dict):
        raise Answer(*failed(400, "That request could not be read."))
    try:
        key = uuid.UUID(str(body.get("key")))
    except ValueError:
        raise Answer(*failed(400, "That swap has no valid key.")) from None
    kind, payload = body.get("kind"), body.get("payload")
    if kind not in KINDS or not isinstance(payload, dict):
        raise Answer(*failed(400, "That is not a swap we know."))
    if any(not isinstance(value, str) for value in payload.values()):
        raise Answer(*failed(400, "That swap's details could not be read."))
    return key, str(kind), payload, Stamp(body.get("made_at"), body.get("sent_at"))


ELSEWHERE = "Made while this phone was signed in to another card: kept on it for that card."
# Sent from a phone signed out since (Settings on another device), from a page left open: the
# phone keeps it (409, as ELSEWHERE), not "Not swapped" for a false reason. Kept only while
# no page is opened, though: a signed-out phone's next page, Sign in's too, clears what the
# phone kept (sessions.SessionCookieUpkeep: a lost phone forgets everything), this swap with it.
SIGNED_OUT_HERE = (
    "Signed out on this phone, so not sent. Signing in again clears this phone, this swap"
    " with it: swap again once signed in."
)
# Its account was deleted from another browser: nothing can make this swap any more.
ACCOUNT_DELETED = "Your account was deleted from another phone or browser: this swap was not made."
NO_CARD = "Make your card on this phone first, then swaps can sync."
# An account id as a phone names it (``<body data-signed-in>``, kept in its outbox): ASCII
# digits that fit a bigint. ``int()`` would take other scripts' digits and any length.
ACCOUNT_ID = re.compile(r"[1-9][0-9]{0,17}")
# How many account ids one look-up may name: a phone holds swaps of a few accounts at most.
MERGED_MOST = 50
MERGED_UNREADABLE = f"Name up to {MERGED_MOST} accounts, each by its number."


async def made_by(conn: Connection, sql: Queries, body: object, account_id: int) -> None:
    """Refuse an action the phone queued under another account than the one signed in now
    (409, ``elsewhere``: the phone keeps it for that account), never made as this one,
    unless that account was merged into this one since (``merged_into``): its swaps are
    this account's now. One naming no account was queued before actions named one
    (outbox.js): taken as it is. Only an action named for another account costs a query."""
    named = body.get("account") if isinstance(body, dict) else None
    if named is None or named == "" or str(named) == str(account_id):
        return
    source = str(named)
    if ACCOUNT_ID.fullmatch(source) and await merged_into(conn, sql, int(source), account_id):
        return
    raise Answer(409, {"status": "elsewhere", "message": ELSEWHERE})


def no_account(*, signed_out: bool, deleted: bool) -> tuple[int, dict[str, Any]]:
    """The answer to a phone with no account signed in: one signed out since keeps the swap
    (409, ``elsewhere``, as ``made_by``'s; ``signed_out`` for Sign out's warning, outbox.js),
    nothing of its key kept; others are refused for good, saying why."""
    if deleted:
        return failed(403, ACCOUNT_DELETED)
    if signed_out:
        return 409, {"status": "elsewhere", "message": SIGNED_OUT_HERE, "signed_out": True}
    return failed(403, NO_CARD)


async def merged_into(conn: Connection, sql: Queries, source: int, account_id: int) -> bool:
    """Whether ``source`` was merged into ``account_id`` (directly, or into an account merged
    into it later: ``merge_accounts`` keeps each pointing at the account that is left)."""
    return bool(await sql.run(conn, "sync.merged_into", source=source, account_id=account_id))


def merged_asked(body: object) -> list[int] | None:
    """The account ids a phone asks about (``{"merged": [12, 15]}``: which of these were
    merged into the account signed in here?), ``None`` for a body that is a queued action,
    or an ``Answer`` of 400 for a list that is not one of a few account ids."""
    if not isinstance(body, dict) or "merged" not in body:
        return None
    asked = body["merged"]
    if not isinstance(asked, list) or len(asked) > MERGED_MOST:
        raise Answer(*failed(400, MERGED_UNREADABLE))
    ids = []
    for value in asked:
        # JSON's true is an int to Python; 3.0 is no account's number either.
        if isinstance(value, bool) or not isinstance(value, int):
            raise Answer(*failed(400, MERGED_UNREADABLE))
        if not ACCOUNT_ID.fullmatch(str(value)):
            raise Answer(*failed(400, MERGED_UNREADABLE))
        ids.append(value)
    return ids


async def merged_of(
    conn: Executor, sql: Queries, asked: list[int], account_id: int
) -> dict[str, Any]:
    """The answer to a look-up: which of ``asked`` were merged into ``account_id``, and the
    account it answers for (a page open since another account signed in here must not
    relabel its swaps to its own)."""
    merged = (
        await sql.run(conn, "sync.merged_of", sources=asked, account_id=account_id) if asked else []
    )
    return {"status": "merged", "account": str(account_id), "merged": [str(i) for i in merged]}


def guest_form(payload: Mapping[str, object]) -> FormData:
    return FormData([(name, str(payload.get(name) or "")) for name in fields.QUICK_FIELDS])


@dataclass(frozen=True)
class Keyed:
    """A Tap screen form sent with the key tap.js gave it, and what was sent with the key:
    what its outbox sends here when the network loses the answer (or the request)."""

    key: uuid.UUID
    payload: dict[str, str]


def keyed(form: FormData) -> Keyed | None:
    """The form's key and the fields sent with it; ``None`` when it has none (sent without
    JavaScript: no outbox sends it again)."""
    try:
        key = uuid.UUID(str(form.get("key") or ""))
    except ValueError:
        return None
    sent = {name: value for name, value in form.multi_items() if name != "key"}
    return Keyed(key, {name: value for name, value in sent.items() if isinstance(value, str)})


def digest(kind: str, payload: Mapping[str, str]) -> bytes:
    """What a key is claimed for: the same key sent again with another digest is another swap."""
    canonical = json.dumps([kind, payload], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).digest()


async def claim(
    conn: Connection,
    sql: Queries,
    account_id: int,
    key: uuid.UUID,
    kind: str,
    payload: Mapping[str, str],
) -> tuple[int, dict[str, Any]] | None:
    """Claim ``key`` for this swap in ``conn``'s transaction. ``None``: claimed now, so make
    the swap and ``record`` its answer before the transaction ends (a concurrent sending of
    the same key waits here until then). Otherwise the answer the key's first sending got,
    or 409 when that was another swap."""
    hashed = digest(kind, payload)
    if await sql.run(conn, "sync.claim", account_id=account_id, key=key, payload_hash=hashed):
        return None
    first = await sql.run(conn, "sync.get", account_id=account_id, key=key)
    if first["payload_hash"] != hashed:
        return failed(409, KEY_REUSED)
    return first["status_code"], json.loads(first["answer"])


async def record(
    conn: Connection,
    sql: Queries,
    account_id: int,
    key: uuid.UUID,
    status_code: int,
    answer: dict[str, Any],
) -> None:
    """The answer a claimed key's later sendings get."""
    await sql.run(
        conn,
        "sync.record",
        account_id=account_id,
        key=key,
        status_code=status_code,
        answer=json.dumps(answer),
    )


def kept(kind: str, status_code: int) -> bool:
    """Whether an answer is recorded for its key's later sendings: a swap made, or a wrong
    code (``codes.redeem`` counted the guess, and a near miss on that code: sent again, it
    must not count twice). Any other refusal made and counted nothing, so the key's next
    sending, if its answer was lost, gets the same refusal worked out again: a guest's details
    (checked as the Tap form checks them, claiming nothing), a link that opens no card (a
    code replaced or expired stays so; the moment of a scan only moves later), my own card or
    code, a malformed code. Only a block lifted in between would answer otherwise, and then
    the phone, which never saw the refusal, gets the swap as if it were sent just now."""
    return status_code < 400 or (kind == "code" and status_code == 404)


async def forget(conn: Connection, sql: Queries, account_id: int, key: uuid.UUID) -> None:
    """Give back a key claimed in this transaction, for an answer not ``kept``."""
    await sql.run(conn, "sync.forget", account_id=account_id, key=key)


async def answered(
    request: Request,
    conn: Connection,
    account_id: int,
    key: uuid.UUID,
    kind: str,
    status_code: int,
    answer: dict[str, Any],
) -> None:
    """A queued action claimed and tried: a refusal is counted (``rates.sync_refused``), and
    the answer recorded for the key or the key given back (``kept``)."""
    sql = request.app.state.sql
    if status_code >= 400:
        await rates.sync_refused(conn, request, account_id)
    if kept(kind, status_code):
        await record(conn, sql, account_id, key, status_code, answer)
    else:
        await forget(conn, sql, account_id, key)


# The answer's words for each notice ``swap_said`` gives (the outbox and the Scan and Tap
# screens show them in a line): what the swap made, as the contact page's notice says it.
SAID = {
    "swapped": "Swapped with {name}.",
    "swap_sent": "Sent to {name}: waiting for them to accept.",
    "swap_to_accept": (
        "Saved {name}: they see only your name, headline and photo until you accept them."
    ),
}


def done(
    request: Request, contact_id: int, name: str, *, notice: str = "swapped"
) -> tuple[int, dict[str, Any]]:
    """The answer to a swap made: with whom, and the way to them. ``notice``: what it made,
    from ``swap_said`` (a guest typed in is simply swapped)."""
    return 200, {
        "status": "done",
        "message": SAID[notice].format(name=name),
        "name": name,
        "url": new_contact_url(request, contact_id, notice),
    }


# A guest typed again whom I typed before and still have (``connect.typed_before``): the
# same words online (the Tap form, _guest_form.html) and queued (the outbox's list).
KNOWN = "{name} is already in your contacts."
KNOWN_FILLED = "{name} is already in your contacts: we added what their card lacked."


def guest_done(request: Request, guest: Guest, typed_name: str) -> tuple[int, dict[str, Any]]:
    """The answer to a guest saved: a new one is swapped; one typed before says so, with the
    way to that contact (``known``: nothing new was made)."""
    if not guest.known:
        return done(request, guest.contact_id, typed_name)
    words = KNOWN_FILLED if guest.filled else KNOWN
    return 200, {
        "status": "done",
        "message": words.format(name=guest.name),
        "name": guest.name,
        "url": url_path(request, "contact", contact_id=guest.contact_id),
        "known": True,
    }


async def perform(
    request: Request,
    conn: Connection,
    account_id: int,
    kind: str,
    payload: dict[str, str],
    at: datetime | None,
) -> tuple[int, dict[str, Any]]:
    """Do one swap as if it happened ``at`` (queued), or now (``None``: a code typed on the
    Tap screen); the status and answer to record."""
    sql = request.app.state.sql
    if kind == "scan":
        try:
            card = await card_for_token(request, payload.get("token", ""), at or datetime.now(UTC))
        except HTTPException as exc:
            return failed(exc.status_code, str(exc.detail))
        if card["account_id"] == account_id:
            return failed(400, SELF)
        await rates.swap(conn, request, account_id, card["account_id"])
        try:
            contact_id = await connect(
                conn,
                sql,
                account_id,
                card["account_id"],
                met_at=at,
                pending=bool(card["ask_details_first"]),
            )
        except SwapRefused as refused:
            return failed(refused.status_code, refused.detail)
        notice = await swap_said(conn, sql, account_id, card["account_id"])
        return done(request, contact_id, card["name"], notice=notice)
    if kind == "code":
        try:
            # A savepoint: a refused swap leaves their code unused, as if never typed.
            async with conn.transaction():
                outcome = await codes.redeem(
                    conn,
                    sql,
                    account_id,
                    limits.address_key(request),
                    payload.get("code", ""),
                    at or datetime.now(UTC),
                )
                if outcome.owner_id is not None:
                    contact_id = await connect(conn, sql, account_id, outcome.owner_id, met_at=at)
        except SwapRefused as refused:
            return failed(refused.status_code, refused.detail)
        if outcome.status == 429:
            wait = outcome.retry_after or 600
            raise Answer(429, {"status": "retry", "message": outcome.message, "retry_after": wait})
        if outcome.owner_id is None:
            return failed(outcome.status, outcome.message)
        # A code swaps at once, but not past an earlier scan of a card that asks first and
        # still waits to be accepted (theirs, or mine).
        notice = await swap_said(conn, sql, account_id, outcome.owner_id)
        return done(request, contact_id, outcome.owner_name, notice=notice)
    values, errors = fields.validate_quick(
        guest_form(payload), phone_region(request), someone_else=True
    )
    if errors:
        return failed(422, " ".join(errors.values()))
    try:
        # Met when typed (a week back at most, made_at): at last night's event, not this
        # morning's sync.
        guest = await create_guest(request, account_id, values, conn, met_at=at)
    except SwapRefused as refused:
        # Their address, on the card of someone blocked either way: as the Tap form says it.
        return failed(refused.status_code, refused.detail)
    return guest_done(request, guest, values["name"])
