"""Events: join codes and links, the organizer's form and saving it, roster search terms, and
loading one."""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request

from server.db import time_zones
from server.db.queries import Queries
from server.web import signing
from server.web.auth import viewer
from server.web.errors import NoCard, SignedOutHere, Titled, from_our_message
from server.web.forms import text
from server.web.urls import url_path

# No 0/O or 1/I/L: a code read aloud across a noisy room is typed right.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6
MAX_DURATION = timedelta(days=14)
LIMITS = {"name": 120, "venue": 200, "description": 2000}
# The years an event may be in: any real one, and none a datetime cannot hold in UTC.
FIRST_YEAR, LAST_YEAR = 2000, 2099
# What the form's errors show of a time, and what each of its two times is.
EXAMPLE_TIME = "2026-12-01 12:00"
EDGE = {"starts_at": "starts", "ends_at": "ends"}


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _bare(value: str) -> str:
    """A typed code without its spaces and dashes, any kind of either: a phone's keyboard
    turns "--" into "—", and full-width letters (an East Asian keyboard) become plain ones."""
    value = unicodedata.normalize("NFKC", value)
    return "".join(ch for ch in value if not ch.isspace() and unicodedata.category(ch) != "Pd")


def normalise_code(value: str) -> str | None:
    """What a person typed or scanned, as a code; None when it cannot be one."""
    code = _bare(value).upper()
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return None
    return code


def code_mistake(value: str) -> str:
    """What is wrong with something typed as a code that ``normalise_code`` refused."""
    typed = _bare(value)
    if not typed:
        return "Type the event's code: the organizer shows or reads it out."
    if typed.isalnum() and len(typed) != CODE_LENGTH:
        return (
            f"An event code has {CODE_LENGTH} letters and digits, like {spoken('ABC234')};"
            f" that was {len(typed)}."
        )
    return (
        "That can't be an event code: codes have no 0, O, 1, I or L (and no other signs)."
        " Check it with the organizer."
    )


def spoken(code: str) -> str:
    return f"{code[:3]}-{code[3:]}"


@dataclass(frozen=True)
class EventForm:
    values: dict[str, str]
    errors: dict[str, str]
    starts_at: datetime | None = None
    ends_at: datetime | None = None

    def saved(self) -> dict[str, Any]:
        """What a valid form saves, by the event's column names: creating or editing one."""
        kept = {name: self.values[name] for name in ("name", "venue", "description", "time_zone")}
        return {**kept, "starts_at": self.starts_at, "ends_at": self.ends_at}


def validate(
    form: FormData, known_zones: frozenset[str], *, shown_zone: str | None = None
) -> EventForm:
    """The event form checked; ``shown_zone`` is the zone the form was filled with (the
    organizer's, or the event's), which passes unchanged: what is typed must be a place."""
    values = {
        name: text(form, name)
        for name in ("name", "venue", "description", "starts_at", "ends_at", "time_zone")
    }
    # One line each, as attendees see them in lists and notification titles.
    values["name"], values["venue"] = (" ".join(values[key].split()) for key in ("name", "venue"))
    errors: dict[str, str] = {}
    if not values["name"]:
        errors["name"] = "Give the event a name."
    for name, limit in LIMITS.items():
        if len(values[name]) > limit:
            errors[name] = f"Please keep this under {limit} characters."
    zone = time_zones.find(values["time_zone"], known_zones, unchanged=shown_zone)
    if zone is None:
        errors["time_zone"] = time_zones.mistake(values["time_zone"], known_zones)
    else:
        values["time_zone"] = zone
    starts = ends = None
    for name in ("starts_at", "ends_at"):
        if not values[name]:
            # Left empty: said as needed, not as if something wrong had been typed.
            errors[name] = f"Enter when it {EDGE[name]}, like {EXAMPLE_TIME}."
            continue
        try:
            parsed = datetime.fromisoformat(values[name])
            if parsed.tzinfo is not None:
                raise ValueError
        except ValueError:
            errors[name] = f"Enter a date and time, like {EXAMPLE_TIME}."
            continue
        if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
            # Year 9999 in a zone west of UTC is year 10000 in UTC: no datetime holds it.
            errors[name] = f"Enter a date between {FIRST_YEAR} and {LAST_YEAR}."
            continue
        # With no zone known yet, UTC: the two times are in one zone, whichever it is, so
        # "the end must be after the start" is said now, not once the zone is fixed.
        local = parsed.replace(tzinfo=ZoneInfo(zone) if zone else UTC)
        if local.astimezone(UTC).astimezone(local.tzinfo).replace(tzinfo=None) != parsed:
            # In the hour the clocks skip (spring forward): no such time there.
            errors[name] = "That time doesn't exist there: the clocks go forward then."
            continue
        starts, ends = (local, ends) if name == "starts_at" else (starts, local)
    # Said with the other errors, not in a second round once those are fixed.
    if starts and ends:
        # In UTC: two times in one zone compare by the wall clock, wrong across a change.
        if ends.astimezone(UTC) <= starts.astimezone(UTC):
            errors["ends_at"] = "The end must be after the start."
        elif ends.astimezone(UTC) - starts.astimezone(UTC) > MAX_DURATION:
            errors["ends_at"] = "Events can last at most two weeks."
    if errors:
        return EventForm(values, errors)
    return EventForm(values, errors, starts, ends)


def prefix_query(query: str) -> str | None:
    """As-you-type search: every word a prefix, all required ("dan rec" finds Dana, recruiter).
    Not lowercased here: search_fold() in SQL does that, as for what is stored, so the two
    agree (Python's lower() makes "İ" an "i" and a combining dot, PostgreSQL's does not)."""
    words = _words(query)[:8]
    if not words:
        return None
    return " & ".join(_prefix(word) for word in words)


def _prefix(word: str) -> str:
    """One word typed as a prefix. A word with a dot or slash inside ("booking.c", "j.r",
    "node.js", "3.5") is looked for either way: whole, as PostgreSQL keeps "Booking.com",
    "J.R.R" or "3.5" on a card (one host, file or number), and as its parts, as it splits
    "Dana Lee", so "dana.lee" still finds her."""
    parts = _INSIDE.split(word)
    if len(parts) == 1:
        return f"{word[:40]}:*"
    # Cut at 40, a word may end in its dot: "booking.:*" is no prefix of "booking.com".
    whole = word[:40].rstrip("./")
    return f"({whole}:* | {' & '.join(f'{part[:40]}:*' for part in parts[:8])})"


# What PostgreSQL's parser keeps inside a word (a host, a file name, a number) between two
# letters or digits: "booking.com", "and/or".
_INSIDE = re.compile(r"[./]")


def _words(typed: str) -> list[str]:
    """The words in ``typed`` as PostgreSQL's parser finds them in a card (to_tsvector): a
    letter or digit starts one, and marks (vowel signs, viramas, accents typed apart: Unicode
    M*) and format characters (zero-width joiners: Cf) go on with it, as the parser counts
    them word characters; "प्रिया" is one word, not three. A dot or slash between a word's
    letter and another letter or digit stays in it ("booking.c", "j.r", "3.5": _prefix()).
    Anything else ends it, so no tsquery sign (& | ! : * ( ) ') is ever in one. Marks before
    any letter start no word: search_fold() drops a combining accent, and a word of accents
    alone would become ":*", which to_tsquery() refuses."""
    words: list[str] = []
    word = ""
    for at, ch in enumerate(typed):
        if ch.isalnum() or (word and (_joins(ch) or _links(typed, at))):
            word += ch
        elif word:
            words.append(word)
            word = ""
    if word:
        words.append(word)
    return words


def _links(typed: str, at: int) -> bool:
    """A dot or slash with a letter or digit after it (and a word before it)."""
    return typed[at] in "./" and typed[at + 1 : at + 2].isalnum()


def _joins(ch: str) -> bool:
    """A mark, or a format character (ZWJ, ZWNJ, soft hyphen), not a control or private use."""
    category = unicodedata.category(ch)
    return category[0] == "M" or category == "Cf"


def local_input(moment: datetime, tz: str) -> str:
    """A stored time as a ``datetime-local`` field shows it, in the event's zone."""
    return moment.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%dT%H:%M")


# The event form's fields, with the labels it shows them by.
EDITED = {
    "name": "Event name",
    "venue": "Venue",
    "starts_at": "Starts",
    "ends_at": "Ends",
    "time_zone": "Time zone",
    "description": "Description",
}


# The prefix of the hidden fields of an event's Edit and of "Get matched here" holding what the
# event or the card said when the page was shown: sent back, they tell a change made elsewhere.
WAS = "was_"


def shown(event: Any) -> dict[str, str]:
    """An event as its Edit form shows it, times in its own zone; also what the form sends
    back (``was_*``) to say what it showed."""
    return {
        "name": event["name"],
        "venue": event["venue"],
        "starts_at": local_input(event["starts_at"], event["time_zone"]),
        "ends_at": local_input(event["ends_at"], event["time_zone"]),
        "time_zone": event["time_zone"],
        "description": event["description"],
    }


class ChangedElsewhere(Exception):
    """An edit refused: the event was saved from another tab or device since its form was
    shown, and saving would undo that unseen. ``now`` is what it says now (as ``shown``)."""

    def __init__(self, now: dict[str, str]) -> None:
        super().__init__("The event was changed elsewhere since the form was shown.")
        self.now = now


def when(event: Any, viewer_zone: str | None = None) -> str:
    """ "Tue 1 Dec 2026, 12:00-14:00" in the event's own time zone; "(Jerusalem time)" after
    it for a viewer whose clock (``viewer_zone``) says another hour then, or "(UTC+3)" for a
    fixed offset a browser named (Etc/GMT-3: POSIX signs, reversed, so never shown as named)."""
    zone = ZoneInfo(event["time_zone"])
    start, end = event["starts_at"].astimezone(zone), event["ends_at"].astimezone(zone)
    day = f"{start:%a} {start.day} {start:%b %Y}"
    if start.date() == end.date():
        said = f"{day}, {start:%H:%M}\u2013{end:%H:%M}"
    else:
        said = f"{day} {start:%H:%M} \u2013 {end:%a} {end.day} {end:%b} {end:%H:%M}"
    if viewer_zone and start.utcoffset() != start.astimezone(ZoneInfo(viewer_zone)).utcoffset():
        if is_fixed_offset(event["time_zone"]):
            said += f" ({zone_said(event['time_zone'], start)})"
        else:
            place = event["time_zone"].rsplit("/", 1)[-1].replace("_", " ")
            said += f" ({place} time)"
    return said


def is_fixed_offset(time_zone: str) -> bool:
    return time_zone.lower().startswith("etc/")


def zone_said(time_zone: str, moment: datetime) -> str:
    """A zone as people read it: its name, but a fixed offset a browser named (Etc/GMT-3,
    whose POSIX sign is reversed) as the offset it is at ``moment``: "UTC+3"."""
    if not is_fixed_offset(time_zone):
        return time_zone
    offset = moment.astimezone(ZoneInfo(time_zone)).utcoffset() or timedelta()
    hours = int(offset.total_seconds()) // 3600  # Etc offsets are whole hours
    return f"UTC{hours:+d}" if hours else "UTC"


JOIN_LINK = "event-join"  # the signing purpose of a join link's ``k``


def join_path(request: Request, code: str) -> str:
    """``/j/<code>?k=<signature>``: a link the organizer handed out (poster, join link) or that
    a code found within the limits led to. The signature shows it was not guessed, so it is
    never refused for the wrong codes typed before on the same network (joining.find)."""
    secret_key: str = request.app.state.settings.secret_key
    signature = signing.sign(secret_key, JOIN_LINK, code)
    return f"{url_path(request, 'join_event', code=code)}?k={signature}"


def join_url(request: Request, code: str) -> str:
    """The link on the poster and the badge: absolute, since another phone opens it."""
    base_url: str = request.app.state.settings.base_url
    return base_url + join_path(request, code)


async def load_event(request: Request, *, organizer: bool = False) -> Any:
    """The event in the URL, seen by the current account; 404 unless they may see it."""
    seen = viewer(request)
    account_id = seen.account_id
    if account_id is None and from_our_message(request):
        # Our email's link (the digest's people and event pages) in a browser not signed in,
        # often the mail app's own: "Sign in to open this", leading back here, as Follow-ups
        # does. Said before looking at the event, so it reveals nothing about the id either.
        raise NoCard(404, "")
    if seen.signed_out:
        # Signed out from another device (or the account deleted): said so, with Sign in, as
        # the pages guarded by @signed_in say it, not "not one of yours" of one's own event.
        raise SignedOutHere(
            deleted=seen.account_deleted, changing=request.method not in ("GET", "HEAD")
        )
    event = await request.app.state.sql.run(
        request.app.state.pool,
        "events.get",
        id=request.path_params["event_id"],
        viewer_id=account_id or 0,
        roster_days=request.app.state.settings.roster_days,
    )
    # Non-attendees get the same answer as for a missing event: ids reveal nothing.
    if event is None or account_id is None:
        raise HTTPException(404, "That event is not one of yours.")
    if organizer and not event["is_organizer"]:
        raise HTTPException(404, "That event is not one of yours.")
    if not (event["is_organizer"] or event["is_attendee"]):
        # Someone who was there is told why it is closed to them (Back after leaving).
        if event["removed_at"] is not None:
            raise Titled(404, REMOVED_FROM, title="You were removed from this event")
        if event["left_at"] is not None:
            raise Titled(404, LEFT, title="You left this event")
        raise HTTPException(404, "That event is not one of yours.")
    return event


# Digests go for events that ended in the last week (deliveries.enqueue_digests).
DIGESTS_WITHIN = timedelta(days=7)


async def save_edit(
    pool: Any,
    sql: Queries,
    *,
    id: int,
    organizer_id: int,
    ends_at: datetime,
    was: dict[str, str] | None = None,
    **values: Any,
) -> bool:
    """Save the organizer's edit of an event, moving its digests if its end moved; False if
    it is no longer theirs (deleted from another browser meanwhile). ``was`` is what the form
    showed (None from a form from before it said): a field saved differently since, which
    this edit would put back, raises ``ChangedElsewhere`` and nothing is saved.

    Statement by statement in one transaction, each seeing what the last waited for: the
    event held first, so the digest worker neither queues its digests meanwhile nor has a
    batch of them half done (``events.hold_for_edit``)."""
    async with pool.acquire() as conn, conn.transaction():
        previous = await sql.run(conn, "events.hold_for_edit", id=id, organizer_id=organizer_id)
        if previous is None:
            return False
        if was is not None:
            # Compared under the hold, so no other tab saves between this and the update.
            now, typed = shown(previous), shown({**values, "ends_at": ends_at})
            if any(now[key] != was[key] and now[key] != typed[key] for key in now):
                raise ChangedElsewhere(now)
        if previous["ends_at"] != ends_at and ends_at > datetime.now(UTC) - DIGESTS_WITHIN:
            await sql.run(conn, "events.hold_waiting_attendees", id=id)
            held = await sql.run(conn, "events.hold_unsent_digests", id=id)
            if held["pushes"] or held["emails"]:
                await sql.run(
                    conn, "events.move_digests", id=id, pushes=held["pushes"], emails=held["emails"]
                )
        await sql.run(
            conn, "events.update", id=id, organizer_id=organizer_id, ends_at=ends_at, **values
        )
    return True


async def remove_attendee(
    pool: Any, sql: Queries, *, event_id: int, account_id: int, organizer_id: int
) -> None:
    """The organizer's Remove: the attendee held first, in a statement of its own, so a
    request to connect they are making this moment is made before, and withdrawn by, it."""
    async with pool.acquire() as conn, conn.transaction():
        await sql.run(conn, "events.hold_attendee", event_id=event_id, account_id=account_id)
        await sql.run(
            conn,
            "events.remove_attendee",
            event_id=event_id,
            account_id=account_id,
            organizer_id=organizer_id,
        )


LEFT = "You are no longer on its list of people. While it is open, its code or link joins again."
REMOVED_FROM = "The organizer removed you from this event, so it is closed to you."


def roster_closed() -> Titled:
    """The list of people, and who can help whom, asked for after ``ROSTER_DAYS``."""
    return Titled(
        410,
        "This event's list of people has closed. The people you swapped with there stay in"
        " your contacts.",
        title="The list of people has closed",
    )
