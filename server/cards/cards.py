"""Loading a card, and the phone region its numbers are read in."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from server.cards import fields


def phone_region(request: Request) -> str:
    """The country for a number typed without ``+``: the browser's language, else the default."""
    return fields.region_from(
        request.headers.get("accept-language", ""), request.app.state.settings.default_phone_region
    )


async def load_card(request: Request, account_id: int) -> Any:
    return await request.app.state.sql.run(
        request.app.state.pool, "cards.get", account_id=account_id
    )


def blank_values() -> dict[str, str]:
    return dict.fromkeys(fields.FIELD_NAMES, "")
