"""Loading my card, and the phone region its numbers are read in."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from server.cards import fields
from server.web.sessions import current_account


def phone_region(request: Request) -> str:
    """The country for a number typed without ``+``: the browser's language, else the default."""
    return fields.region_from(
        request.headers.get("accept-language", ""), request.app.state.settings.default_phone_region
    )


async def load_card(request: Request, account_id: int) -> Any:
    return await request.app.state.sql.run(
        request.app.state.pool, "cards.get", account_id=account_id
    )


async def my_card(request: Request) -> tuple[int, Any] | None:
    """The signed-in account and its card, or None before the first card is saved."""
    account_id = await current_account(request)
    card = await load_card(request, account_id) if account_id else None
    if account_id is None or card is None:
        return None
    return account_id, card


def blank_values() -> dict[str, str]:
    return dict.fromkeys(fields.FIELD_NAMES, "")
