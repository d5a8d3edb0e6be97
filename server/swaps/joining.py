"""The person with no app leaves their details on a card opened from its link: their account,
card, session, the swap and "You met" by email, in one statement (``join_by_link()`` in
``sql/logic.sql``), since this is the moment a crowd at an event does all at once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request

from server.cards import fields, share_tokens
from server.mail import addresses
from server.swaps import rates
from server.web import limits


async def join_by_link(
    request: Request, values: dict[str, str], *, token_hash: bytes, time_zone: str
) -> Any | None:
    """The newcomer's account and contact row (``newcomer_id``, ``newcomer_contact``); None
    when the link in the URL opens no card now (``visits.load_visit`` says why). Raises
    ``limits.TooMany`` when the card or the address made too many new accounts lately."""
    decoded = share_tokens.decode(
        request.app.state.settings.secret_key, request.path_params["token"], datetime.now(UTC)
    )
    if decoded.status is not share_tokens.Status.VALID:
        return None
    checks = rates.new_account_checks(request)
    with limits.refused_as_too_many(checks):
        return await request.app.state.sql.run(
            request.app.state.pool,
            "accounts.join_by_link",
            share_id=decoded.share_id,
            account_id=decoded.account_id,
            generation=decoded.generation,
            token_hash=token_hash,
            time_zone=time_zone,
            address=addresses.normalize(values.get("email", "")),
            **limits.take_params(checks),
            **fields.card_values(values),
        )
