"""A card opened from its share link: which card the token opens, and who is looking."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request

from server.cards import share_tokens
from server.web.auth import viewer
from server.web.errors import Titled

# Said for a code scanned and a link sent alike, and without the card's name: a code made new
# or past its time must not tell whoever holds it whose card it was.
EXPIRED = "This link has expired. Ask them to show their QR code again or send a new link."
REPLACED = (
    "This link was replaced by a newer one."
    " Ask them to show their QR code again or send a new link."
)
# The heading of both: a QR code opens a link too, and either may have been sent.
NO_LONGER = "This link no longer works"
UNKNOWN = "We don't recognise this code. Check the link, or ask them to show their QR code again."
SELF = "This is your own card. Show this QR code to someone else to swap details."
DELETED = (
    "The person who made this card deleted their Reachout account, and everything on it with it."
    " If you swapped with them before, they are no longer in your contacts either."
)


@dataclass(frozen=True)
class Visit:
    """Who is looking at whose card, and what they may see."""

    card: Any
    owner_id: int
    viewer_id: int | None
    contact_id: int | None  # the viewer's contact row for the owner, once connected
    # What the owner shares with the viewer once connected ('pending': not accepted yet).
    sharing: str | None = None

    @property
    def own(self) -> bool:
        return self.viewer_id == self.owner_id

    @property
    def pending(self) -> bool:
        """They left details on a card that asks first; its owner has not accepted yet."""
        return self.contact_id is not None and self.sharing == "pending"

    @property
    def limited(self) -> bool:
        """Name, headline and photo only: before leaving details on a card that asks first,
        and after, until its owner accepts (or while they share only the basics)."""
        if self.own:
            return False
        if self.contact_id is None:
            return bool(self.card["ask_details_first"])
        return self.sharing != "all"


async def card_for_token(
    request: Request, token: str, at: datetime, *, page_of: Mapping[str, Any] | None = None
) -> Any:
    """The card a share token opens, if it was valid ``at``; else the friendly 404/410 (a
    token we signed whose account is gone: "This card was deleted"). A card merged into
    another account opens the card kept (``_merged_into``). ``page_of``: not the card but
    which version of it, with the page kept rendered for it (``card_pages.version_and_page``
    and the rest of its parameters)."""
    decoded = share_tokens.decode(request.app.state.settings.secret_key, token, at)
    if decoded.status is share_tokens.Status.MALFORMED:
        raise HTTPException(404, UNKNOWN)
    card = await _card(request, token, decoded.share_id, decoded.account_id, page_of)
    generation = card["share_generation"] if card is not None else None
    if card is None:
        card, generation = await _merged_into(request, token, decoded, page_of)
    if card is None:
        # We signed this token, so its account existed: it was deleted since (no tombstone
        # needed), or merged into one deleted since. Every account has a card from its
        # first save.
        raise Titled(410, DELETED, title="This card was deleted")
    if decoded.generation != generation:
        raise Titled(410, REPLACED, title=NO_LONGER)
    if decoded.status is share_tokens.Status.EXPIRED:
        raise Titled(410, EXPIRED, title=NO_LONGER)
    return card


async def _card(
    request: Request,
    token: str,
    share_id: int | None,
    account_id: int | None,
    page_of: Mapping[str, Any] | None,
) -> Any:
    """The card named by its opaque ``share_id``, else by ``account_id`` (or its version
    and kept page, ``page_of``); None when there is none."""
    sql, pool = request.app.state.sql, request.app.state.pool
    if page_of is not None:
        # One query per way a link names its card (card_pages.sql says why).
        if share_id is not None:
            return await sql.run(
                pool, "card_pages.version_and_page", token=token, share_id=share_id, **page_of
            )
        return await sql.run(
            pool,
            "card_pages.version_and_page_of_account",
            token=token,
            account_id=account_id,
            **page_of,
        )
    if share_id is not None:
        return await sql.run(pool, "cards.by_share_id", share_id=share_id)
    if account_id is not None:
        return await sql.run(pool, "cards.get", account_id=account_id)
    return None


async def _merged_into(
    request: Request,
    token: str,
    decoded: share_tokens.Decoded,
    page_of: Mapping[str, Any] | None,
) -> tuple[Any, int | None]:
    """For a token whose card is gone: the card of the account it was merged into, the
    same person, with the generation the token must carry to open it (None: that card's
    code was made new since, which ends these tokens too). Opened as it is, not redirected
    to a link of the card kept: a swap queued offline names the token, not a page, and a
    tap at an event needs no second round trip. (None, None): not merged, or merged into an
    account deleted since (merged_accounts, migration 0055)."""
    sql, pool = request.app.state.sql, request.app.state.pool
    merged = await sql.run(
        pool, "cards.merged_share", share_id=decoded.share_id, account_id=decoded.account_id
    )
    if merged is None:
        return None, None
    card = await _card(request, token, None, merged["account_id"], page_of)
    if card is None or card["share_generation"] != merged["target_generation"]:
        return card, None
    return card, merged["share_generation"]


async def load_visit(request: Request) -> Visit:
    """Resolve the token in the URL, or raise the friendly 404/410 for a bad one."""
    card = await card_for_token(request, request.path_params["token"], datetime.now(UTC))
    owner_id = card["account_id"]
    viewer_id = viewer(request).account_id
    contact_id = sharing = None
    if viewer_id is not None and viewer_id != owner_id:
        row = await request.app.state.sql.run(
            request.app.state.pool, "contacts.visit", viewer_id=viewer_id, owner_id=owner_id
        )
        contact_id, sharing = row["id"], row["sharing"]
    return Visit(card, owner_id, viewer_id, contact_id, sharing)
