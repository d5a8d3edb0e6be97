"""Everything about me as one JSON file: my account, card and email, every address confirmed
for me (the card's or not), how reminders come, my contacts (their cards as the app shows them
to me, my notes, what we promised each other, my follow-ups), events, requests, blocks,
devices, sessions, passkeys and the emails sent to me. No secrets: no session token hashes,
push endpoints or keys, passkey keys, share or sign-in codes."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncGenerator, Iterable
from datetime import UTC, date, datetime
from typing import Any

from server.cards.fields import FIELD_NAMES
from server.db.pool import Connection
from server.db.queries import Queries
from server.signin import browsers

MEDIA_TYPE = "application/json"
FORMAT = "Reachout export 1"
BATCH = 500


def _plain(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=_plain)


def _records(rows: Iterable[Any]) -> list[dict[str, Any]]:
    return [dict(row) for row in rows]


def contact(row: Any) -> dict[str, Any]:
    """One contact as the app shows it to me, with all I keep about them."""
    followup = None
    if row["followup_status"] is not None:
        followup = {
            "status": row["followup_status"],
            "due_at": row["followup_due_at"],
            "round": row["followup_round"],
            "snoozed": row["followup_snoozed"],
            "done_at": row["followup_done_at"],
        }
    event = None if row["event_id"] is None else {"id": row["event_id"], "name": row["event_name"]}
    return {
        "card": {name: row[name] for name in FIELD_NAMES},
        "met_at": row["met_at"],
        "met_at_event": event,
        "note": row["note"],
        "note_updated_at": row["note_updated_at"],
        "give_and_get": {
            "i_promised_them": row["promised"],
            "they_asked_me_for": row["they_asked"],
        },
        "followup": followup,
        # "What they see of me": "all" my card, or "basics", my name and headline only.
        "they_see_of_me": row["sharing"],
    }


def confirmed_address(row: Any) -> dict[str, Any]:
    """An address confirmed for my account, whether or not my card still shows it."""
    return {
        "address": row["address"],
        "confirmed_at": row["confirmed_at"],
        "on_card": row["on_card"],
        "unsubscribed_at": row["unsubscribed_at"],
        "bounced_at": row["bounced_at"],
        "bounce_reason": row["bounce_reason"],
    }


def head(me: Any, confirmed: Iterable[Any]) -> dict[str, Any]:
    """What comes before my contacts: me, with ``confirmed``, the addresses confirmed for me."""
    photo = None
    if me["photo_jpeg"] is not None:
        photo = {"type": "image/jpeg", "base64": base64.b64encode(me["photo_jpeg"]).decode()}
    card = None
    if me["name"] is not None:
        card = {
            **{name: me[name] for name in FIELD_NAMES},
            "ask_details_first": me["ask_details_first"],
            "updated_at": me["card_updated_at"],
            "photo": photo,
        }
    email = None
    if me["address"] is not None:
        email = {
            "address": me["address"],
            "confirmed_at": me["confirmed_at"],
            "unsubscribed_at": me["unsubscribed_at"],
            "bounced_at": me["bounced_at"],
            "bounce_reason": me["bounce_reason"],
        }
    return {
        "format": FORMAT,
        "exported_at": datetime.now(UTC),
        "account": {"created_at": me["created_at"], "time_zone": me["time_zone"]},
        "card": card,
        # The card's address, confirmed for me or not.
        "email": email,
        # Every address that confirms it's me: the card's, and those it no longer shows,
        # which a code still goes to (deleting my account, adding a passkey).
        "confirmed_addresses": [confirmed_address(row) for row in confirmed],
        "reminders": {
            "when": me["followup_timing"],
            # "" is the automatic choice: by email when no device has push, else by push.
            "how": me["reminders_by"] or "automatic",
            # To a device with push now: none when no device has it, whatever was chosen.
            "by_push_now": me["reminders_by_push"],
            "by_email_now_to": me["reminders_emailed_to"],
            # Whether a reminder's push shows her notes on the lock screen (Settings).
            "notes_on_lock_screen": me["notes_on_lock_screen"],
        },
    }


async def tail(
    conn: Connection, sql: Queries, account_id: int, session_id: int | None
) -> dict[str, Any]:
    """What comes after my contacts: all small, read whole."""

    async def rows(key: str) -> list[dict[str, Any]]:
        return _records(await sql.run(conn, key, account_id=account_id))

    sessions = [
        {
            "browser": browsers.describe(row["user_agent"]),
            "this_device": row["id"] == session_id,
            "user_agent": row["user_agent"],
            "ip": row["ip"],
            "signed_in_by": row["signed_in_by"],
            "created_at": row["created_at"],
            "last_seen_at": row["last_seen_at"],
            # When it ended, by a Sign out or, marked as devices are, by going unused for a
            # session's life (export.sessions).
            "signed_out_at": row["signed_out_at"],
            "signed_out_after_long_unused": row["signed_out_after_long_unused"],
        }
        for row in await sql.run(conn, "export.sessions", account_id=account_id)
    ]
    return {
        "events": {
            "organised": await rows("export.events_organised"),
            "attended": await rows("export.events_attended"),
        },
        "requests": {
            "sent": await rows("export.requests_sent"),
            "received": await rows("export.requests_received"),
        },
        "blocked": await rows("export.blocked"),
        "devices": await rows("export.devices"),
        "sessions": sessions,
        "passkeys": await rows("export.passkeys"),
        "emails": await rows("export.emails"),
    }


def _members(section: dict[str, Any]) -> str:
    return ",\n".join(f"{dumps(key)}: {dumps(value)}" for key, value in section.items())


async def document(
    conn: Connection, sql: Queries, account_id: int, session_id: int | None
) -> AsyncGenerator[str, None]:
    """The JSON text in pieces: one object, one contact a line, the contacts a batch at a time."""
    me = await sql.run(conn, "export.me", account_id=account_id)
    confirmed = await sql.run(conn, "export.confirmed_addresses", account_id=account_id)
    yield "{\n" + _members(head(me, confirmed)) + ',\n"contacts": ['
    separator = "\n"
    async for batch in sql.batches(
        conn, "export.contacts", size=BATCH, owner_id=account_id, with_photos=False
    ):
        yield separator + ",\n".join(dumps(contact(row)) for row in batch)
        separator = ",\n"
    yield "\n],\n" + _members(await tail(conn, sql, account_id, session_id)) + "\n}\n"
