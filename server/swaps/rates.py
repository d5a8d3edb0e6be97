"""How often people may swap and make cards through someone's share link, make cards by
joining an event with its code or on their own, or type guests in; and how many swaps queued
offline may be refused, and look-ups made, for one phone.

A share link is screenshotted and posted: with it, a script could make thousands of accounts,
each a contact of the link's owner and a reminder the next morning. Each limit is keyed on the
target first (the link: however many addresses a script uses, one link gets at most so many
new people an hour), then on who acts (an account), then on the address (a venue's NAT shares
one, so its limit is the loosest). The numbers leave room for a speaker whose QR is on the
big screen: a few hundred people in an hour.

A link is counted by its card's share id and generation (``LINK``), not by the card's owner:
whoever holds a screenshot can use up the link's hour, and "Make a new code" ends that link,
so the new one starts afresh rather than refused for the rest of the hour.
"""

from __future__ import annotations

from datetime import timedelta

from starlette.requests import Request

from server.db.pool import Connection
from server.db.queries import Executor
from server.web import limits
from server.web.limits import Rule

HOUR = timedelta(hours=1)

NEW_PER_LINK = Rule(
    "link-new-accounts",
    300,
    HOUR,
    "Lots of people left their details on this card in the last hour, so we are pausing"
    " new ones for a while. Please try again {wait}.",
)
NEW_PER_ADDRESS = Rule(
    "address-new-accounts",
    100,
    timedelta(minutes=10),
    # A venue's Wi-Fi is one address for everyone there: the way that does not wait.
    "Many new cards were made from your network just now. Please try again {wait}, or ask"
    " them to type your name and email on their phone.",
)
# Joining an event by its code makes an account too, counted apart from share links and per
# event: at a venue everyone is one address, and the QR on the screen sends the whole room to
# the join form within minutes, so one event's door rush must not spend the share links'
# allowance (nor another event's door at the same venue). Sized for a big event's door on one
# IPv4; it only stops a script making thousands of accounts (each with its own requests to
# connect, which the per-person limit caps anyway). Signed in, joining makes no account and
# counts nothing.
NEW_PER_EVENT_ADDRESS = Rule(
    "event-address-new-accounts",
    500,
    timedelta(minutes=10),
    "Many people joined this event from your network just now, so nothing was saved. Please"
    " try again {wait}, or join on mobile data instead of this Wi-Fi.",
)
# The backstop behind each door that makes an account for a signed-out browser (a share link,
# an event's join form, the first-card form): each door has its own limit or none, and an
# account made at one door goes through the others signed in, counting nothing there (a card
# made at /card then joins any event). Without it one address could make accounts without
# end, each with its own allowance of requests to connect. Events are cheap (20 a day per
# organizer): four big doors at once on one venue IPv4 still get in. Its own bucket, not
# ``NEW_PER_ADDRESS``'s, which is the share links' tighter door.
NEW_ACCOUNTS_PER_ADDRESS = Rule(
    "address-all-new-accounts",
    2000,
    timedelta(minutes=10),
    "Many new cards were made from your network just now, so nothing was saved. Please try"
    " again {wait}, or use mobile data instead of this Wi-Fi.",
)
SWAPS_PER_ACCOUNT = Rule(
    "account-swaps",
    100,
    HOUR,
    "You have swapped with 100 people by link in the last hour. Please try again {wait}.",
)
SWAPS_PER_LINK = Rule(
    "link-swaps",
    300,
    HOUR,
    "Lots of people swapped with this card in the last hour, so we are pausing new swaps"
    " for a while. Please try again {wait}.",
)
SWAPS_PER_ADDRESS = Rule(
    "address-swaps",
    300,
    timedelta(minutes=10),
    "Many swaps were made from your network just now. Please try again {wait}.",
)
GUESTS_PER_ACCOUNT = Rule(
    "account-guests",
    20,
    HOUR,
    "You have added 20 guests in the last hour. Please try again {wait}.",
)
# A guest typed with an email gets "You met <me>", with words the typer wrote, at an address
# the typer chose: accounts cost a script nothing (``NEW_ACCOUNTS_PER_ADDRESS``: 2,000 every
# 10 minutes), so the per-account limit alone let one address send some 40,000 an hour. Typing
# a guest is the exception at an event (someone with no phone to hand), a minute of typing
# each: even a thousand people on one venue IPv4, one in ten typing two guests in the same
# hour, stay under 300. A script gets at most 300 "You met" an hour from an address (the
# one-a-day limit per unconfirmed address keeps it from sending them to one inbox).
GUESTS_PER_ADDRESS = Rule(
    "address-guests",
    300,
    HOUR,
    "Many guests were added from your network in the last hour. Please try again {wait}.",
)
# A card made in the last hour with no address confirmed for it (``NEW_ACCOUNT``, one made for
# the purpose, as like as not) gets "You met" sent to its first ten guests of that hour. A
# person with a new card types a few guests at an event (ten is a busy first hour); a script
# needs twice the accounts (and the requests making them) for what the per-account limit let
# through, and GUESTS_PER_ADDRESS bounds it whatever the accounts. Only
# guests with an email count (nothing is sent to the others), and past it the guest is not
# saved rather than saved unmailed: the Tap screen says "We'll email them your card" to
# every guest with an email, so what it says stays as true as it can. Confirming an address
# lifts it.
GUESTS_EMAILED_BY_NEW_ACCOUNT = Rule(
    "new-account-guests-emailed",
    10,
    HOUR,
    "Your card is new, so we email only ten of the guests you add in its first hour. Save"
    " this one without their email and send them your card yourself, confirm your own email"
    " in Settings, or try again {wait}.",
)
NEW_ACCOUNT = HOUR
# Swaps queued offline that were refused (a link that opens no card, a guest's details
# refused, a wrong code): a script with one card can send them as fast as it likes, each with
# a fresh key. A phone sends its queue one after another as soon as it is back online
# (outbox.js), mostly swaps made, which count nothing here; even a queue of a few hundred all
# refused (codes dead by then, cards deleted) fits in the hour. Over it, 429 with Retry-After:
# the phone keeps what waits and sends it then. Checked before the swap is tried, so a guess
# at a code is never tried uncounted.
SYNC_REFUSED_PER_ACCOUNT = Rule(
    "account-sync-refused",
    500,
    HOUR,
    "Many swaps sent from this phone could not be made in the last hour. The ones still"
    " waiting go by themselves {wait}.",
)
# A venue's Wi-Fi is one address for everyone there, each phone with a few refused at most.
SYNC_REFUSED_PER_ADDRESS = Rule(
    "address-sync-refused",
    3000,
    timedelta(minutes=10),
    "Many swaps sent from your network just now could not be made. The ones still waiting go"
    " by themselves {wait}.",
)
# "Which of these accounts were merged into mine?" (sync.merged_of): a page asks once per set
# of accounts its queue names, the service worker at each try of the queue (every few
# seconds at most, and only while it holds another account's swaps).
MERGED_LOOK_UPS_PER_ACCOUNT = Rule(
    "account-merged-look-ups",
    120,
    timedelta(minutes=10),
    "This phone asked about its waiting swaps many times just now. It asks again by itself {wait}.",
)
MERGED_LOOK_UPS_PER_ADDRESS = Rule(
    "address-merged-look-ups",
    3000,
    timedelta(minutes=10),
    "Phones on your network asked about their waiting swaps many times just now. They ask"
    " again by themselves {wait}.",
)


# The key of a rule counted per link: None, which the statement taking the limits fills in
# with the card's share id and generation once it has read the card (join_by_link() in
# sql/logic.sql; limits.take_on_link for a swap), so a swap reads the card no second time.
LINK = None


def new_account_checks(request: Request) -> tuple[tuple[Rule, object], ...]:
    """Someone without a card leaves their details on a card: the limits to take, the link
    first (``LINK``), the address's backstop last, as at every door."""
    address = limits.address_key(request)
    return (
        (NEW_PER_LINK, LINK),
        (NEW_PER_ADDRESS, address),
        (NEW_ACCOUNTS_PER_ADDRESS, address),
    )


def event_address_key(request: Request, event_id: int) -> str:
    """The key ``NEW_PER_EVENT_ADDRESS`` counts on: the event, then the address (a space
    between, as neither an id nor an address has one)."""
    return f"{event_id} {limits.address_key(request)}"


async def join_event(conn: Executor, request: Request, event_id: int) -> None:
    """Someone without an account makes one in ``event_id``'s join form (``/j/<code>``):
    counted at that event's door and, across every event, at the address."""
    await limits.take(
        conn,
        request.app.state.sql,
        (NEW_PER_EVENT_ADDRESS, event_address_key(request, event_id)),
        (NEW_ACCOUNTS_PER_ADDRESS, limits.address_key(request)),
    )


async def first_card(conn: Executor, request: Request) -> None:
    """Someone without an account saves their first card (``/card``): no door of its own,
    only the address's backstop."""
    await limits.take(
        conn, request.app.state.sql, (NEW_ACCOUNTS_PER_ADDRESS, limits.address_key(request))
    )


async def swap(conn: Executor, request: Request, account_id: int, owner_id: int) -> None:
    """``account_id`` swaps with ``owner_id`` through their link (now or queued offline),
    counted on the link ``owner_id``'s card has now: the one just opened (a link of an older
    generation opens no card), or for a link of a card merged into theirs, their card's."""
    checks = (
        (SWAPS_PER_ACCOUNT, account_id),
        (SWAPS_PER_LINK, LINK),
        (SWAPS_PER_ADDRESS, limits.address_key(request)),
    )
    with limits.refused_as_too_many(checks):
        await request.app.state.sql.run(
            conn, "limits.take_on_link", owner_id=owner_id, **limits.take_params(checks)
        )


async def guest(conn: Executor, request: Request, account_id: int, *, emailed: bool) -> None:
    """``account_id`` types a guest's details on their own phone; ``emailed``: with an email,
    which gets "You met" (``GUESTS_EMAILED_BY_NEW_ACCOUNT`` counts it while the account is
    new)."""
    await limits.take_with_new_account_rule(
        conn,
        request.app.state.sql,
        ((GUESTS_PER_ACCOUNT, account_id), (GUESTS_PER_ADDRESS, limits.address_key(request))),
        account_id=account_id,
        new_for=NEW_ACCOUNT,
        # Only a guest with an email counts: nothing is sent to the others.
        new_account_rule=GUESTS_EMAILED_BY_NEW_ACCOUNT if emailed else None,
    )


def _sync_refused_checks(request: Request, account_id: int) -> tuple[tuple[Rule, object], ...]:
    return (
        (SYNC_REFUSED_PER_ACCOUNT, account_id),
        (SYNC_REFUSED_PER_ADDRESS, limits.address_key(request)),
    )


async def sync_refusals_left(conn: Connection, request: Request, account_id: int) -> None:
    """Before a queued swap is tried: ``TooMany`` when this account or address had its fill
    of refusals. Counts nothing; holds the keys' locks until the transaction ends, so the
    refusal ``sync_refused`` counts cannot be raced past the limit."""
    await limits.check(conn, request.app.state.sql, *_sync_refused_checks(request, account_id))


async def sync_refused(conn: Connection, request: Request, account_id: int) -> None:
    """A queued swap ``sync_refusals_left`` let through was refused: count it."""
    await limits.hit(conn, request.app.state.sql, *_sync_refused_checks(request, account_id))


async def merged_look_up(conn: Executor, request: Request, account_id: int) -> None:
    """``account_id``'s phone asks which accounts were merged into it."""
    await limits.take(
        conn,
        request.app.state.sql,
        (MERGED_LOOK_UPS_PER_ACCOUNT, account_id),
        (MERGED_LOOK_UPS_PER_ADDRESS, limits.address_key(request)),
    )
