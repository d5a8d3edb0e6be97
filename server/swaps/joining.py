"""The person with no app leaves their details on a card opened from its link: their account,
card, session, the swap and "You met" by email, in one statement (``join_by_link()`` in
``sql/logic.sql``), since this is the moment a crowd at an event does all at once.

A venue's network drops answers: the page sends a key made for the visit with the form
(``attempt``, app.js), so that Send tapped again after a lost answer signs them in to the
account the first made instead of making a second one."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request

from server.cards import fields, share_tokens
from server.mail import addresses
from server.swaps import rates
from server.web import limits, sessions
from server.web.forms import text


def attempt_hash(form: FormData) -> bytes | None:
    """The hash of the key this try of the form came with (a UUID, as app.js makes it, read
    as the Tap forms' keys are: ``sync.keyed``), or None when it has none; anything else is
    ignored, as a form sent with no key is."""
    try:
        key = uuid.UUID(text(form, "attempt"))
    except ValueError:
        return None
    return sessions.hash_token(str(key))


async def join_by_link(
    request: Request,
    values: dict[str, str],
    *,
    token_hash: bytes,
    time_zone: str,
    attempt: bytes | None = None,
) -> Any | None:
    """The newcomer's account and contact row (``newcomer_id``, ``newcomer_contact``); None
    when the link in the URL opens no card now (``visits.load_visit`` says why). Raises
    ``limits.TooMany`` when the card or the address made too many new accounts lately.
    ``attempt`` (``attempt_hash``): a try sent again gets the account the first one made."""
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
            attempt_hash=attempt,
            **limits.take_params(checks),
            **fields.card_values(values),
        )
