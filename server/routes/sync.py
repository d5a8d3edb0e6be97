"""``/sync/actions``: swaps a phone queued while offline, replayed once it is back online.

Each action carries a key the phone made. The key is claimed in the same
transaction that makes the swap and records the answer, so a replay (the page
and the service worker both sending, or a lost response) gets the first answer
back and never connects twice; a key reused for a different swap is refused.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server import card_fields, swap_codes
from server.db import Connection
from server.forms import read_json
from server.routes.cards import phone_region
from server.routes.swaps import SELF, card_for_token, connect
from server.routes.tap import client_ip, contact_url, create_guest, guest_form
from server.sessions import current_account

KINDS = ("scan", "code", "guest")
# A phone may sync a swap from yesterday's event, not one from last month.
OLDEST = timedelta(days=7)
KEY_REUSED = "This swap was already sent with different details. Scan or type it again."


class Answer(Exception):
    """An answer to give now, with nothing of the action kept (so it can be retried)."""

    def __init__(self, status_code: int, body: dict[str, Any]) -> None:
        self.status_code = status_code
        self.body = body


def failed(status_code: int, message: str) -> tuple[int, dict[str, Any]]:
    return status_code, {"status": "failed", "message": message}


def _json(status_code: int, body: dict[str, Any]) -> Response:
    return JSONResponse(body, status_code=status_code, headers={"cache-control": "no-store"})


def _made_at(value: object, now: datetime) -> datetime:
    """When the swap happened on the phone, within the last week and not in the future."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return now
    try:
        moment = datetime.fromtimestamp(value / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return now
    return min(max(moment, now - OLDEST), now)


def _parse(body: object) -> tuple[uuid.UUID, str, dict[str, Any], object]:
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
    return key, str(kind), payload, body.get("made_at")


def _done(request: Request, contact_id: int, name: str) -> tuple[int, dict[str, Any]]:
    return 200, {
        "status": "done",
        "message": f"Swapped with {name}.",
        "name": name,
        "url": contact_url(request, contact_id),
    }


async def _perform(
    request: Request,
    conn: Connection,
    account_id: int,
    kind: str,
    payload: dict[str, str],
    made_at: datetime,
) -> tuple[int, dict[str, Any]]:
    sql = request.app.state.sql
    if kind == "scan":
        try:
            card = await card_for_token(request, payload.get("token", ""), made_at)
        except HTTPException as exc:
            return failed(exc.status_code, str(exc.detail))
        if card["account_id"] == account_id:
            return failed(400, SELF)
        contact_id = await connect(conn, sql, account_id, card["account_id"], made_at)
        return _done(request, contact_id, card["name"])
    if kind == "code":
        outcome = await swap_codes.redeem(
            conn, sql, account_id, client_ip(request), payload.get("code", ""), made_at
        )
        if outcome.status == 429:
            raise Answer(429, {"status": "retry", "message": outcome.message, "retry_after": 600})
        if outcome.owner_id is None:
            return failed(outcome.status, outcome.message)
        contact_id = await connect(conn, sql, account_id, outcome.owner_id, made_at)
        return _done(request, contact_id, outcome.owner_name)
    values, errors = card_fields.validate_quick(guest_form(payload), phone_region(request))
    if errors:
        return failed(422, " ".join(errors.values()))
    contact_id = await create_guest(request, account_id, values, conn)
    return _done(request, contact_id, values["name"])


async def action(request: Request) -> Response:
    try:
        body = await read_json(request)
    except HTTPException as exc:
        return _json(*failed(exc.status_code, str(exc.detail)))
    account_id = await current_account(request)
    if account_id is None:
        return _json(*failed(403, "Make your card on this phone first, then swaps can sync."))
    try:
        key, kind, payload, made_at = _parse(body)
        canonical = json.dumps([kind, payload], sort_keys=True, separators=(",", ":"))
        digest = hashlib.sha256(canonical.encode()).digest()
        sql = request.app.state.sql
        async with request.app.state.pool.acquire() as conn, conn.transaction():
            if not await conn.fetchval(sql["sync.claim"], account_id, key, digest):
                first = await conn.fetchrow(sql["sync.get"], account_id, key)
                if first["payload_hash"] != digest:
                    return _json(*failed(409, KEY_REUSED))
                return _json(first["status_code"], json.loads(first["answer"]))
            status_code, answer = await _perform(
                request, conn, account_id, kind, payload, _made_at(made_at, datetime.now(UTC))
            )
            await conn.execute(sql["sync.record"], account_id, key, status_code, json.dumps(answer))
    except Answer as exc:
        return _json(exc.status_code, exc.body)
    return _json(status_code, answer)
