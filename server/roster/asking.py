"""The limits on asking people to connect: per sender, per person asked, per network, and
per card made within the hour."""

from __future__ import annotations

from datetime import timedelta

from starlette.requests import Request

from server.db.queries import Executor
from server.swaps.rates import NEW_ACCOUNT
from server.web import limits

# Requests one person may send in an hour.
PER_HOUR = 30
REQUESTS = limits.Rule(
    "requests",
    PER_HOUR,
    timedelta(hours=1),
    f"You have sent {PER_HOUR} requests in the last hour. Please try again {{wait}}.",
)
# Requests one person may be sent in an hour, from everyone: a flood of new accounts (each
# with its own 30) reaches nobody's phone past it. A speaker whose talk filled a room of a
# few hundred hears from a tenth of it, and a hundred is about what anyone reads through and
# answers in an hour; past it, the rest wait a while rather than bury the real ones. A request
# withdrawn and asked again by its sender is not counted again (``take``): one sender looping
# ask and withdraw would otherwise use up the hour for everyone wanting to reach that person.
TO_PERSON_PER_HOUR = 100
REQUESTS_TO_PERSON = limits.Rule(
    "requests-to-person",
    TO_PERSON_PER_HOUR,
    timedelta(hours=1),
    "Lots of people asked this person to connect in the last hour, so we are holding new"
    " requests to them for a while. Nothing was sent: please try again {wait}, or swap with"
    " them in person.",
)
# Requests from one network: a venue's Wi-Fi is one IPv4 address for hundreds of people,
# each sending a few, so as loose as swaps by link from one address (server/swaps/rates.py).
REQUESTS_PER_ADDRESS = limits.Rule(
    "address-requests",
    300,
    timedelta(minutes=10),
    "Many requests to connect were sent from your network just now. Nothing was sent: please"
    " try again {wait}.",
)
# A card made in the last hour with no address confirmed for it (``NEW_ACCOUNT``, as for
# guests emailed: server/swaps/rates.py): a join code makes one for nothing, so a script's
# cards, each with the 30 above, would buzz every phone on a 2,000-person roster within the
# hour. Someone who just joined at the door asks a few people they heard speak or saw on the
# list; five is a busy first hour. Confirming an address lifts it.
NEW_CARD_PER_HOUR = 5
REQUESTS_BY_NEW_CARD = limits.Rule(
    "new-account-requests",
    NEW_CARD_PER_HOUR,
    timedelta(hours=1),
    f"Your card is new, so it can send only {NEW_CARD_PER_HOUR} requests to connect in its"
    " first hour. Nothing was sent: to send more now, confirm your email address in Settings,"
    " or try again {wait}.",
)


async def take(conn: Executor, request: Request, me: int, other: int, *, again: bool) -> None:
    """Count ``me`` asking ``other`` against every limit, or raise ``TooMany``; ``again``: it
    brings back a request ``me`` made to ``other`` and withdrew, which ``other``'s limit
    counted already. The sender's limits count every ask."""
    checks: tuple[tuple[limits.Rule, object], ...] = ((REQUESTS, me),)
    if not again:
        checks += ((REQUESTS_TO_PERSON, other),)
    checks += ((REQUESTS_PER_ADDRESS, limits.address_key(request)),)
    await limits.take_with_new_account_rule(
        conn,
        request.app.state.sql,
        checks,
        account_id=me,
        new_for=NEW_ACCOUNT,
        new_account_rule=REQUESTS_BY_NEW_CARD,
    )
