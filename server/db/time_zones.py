"""Time zones by IANA name, as PostgreSQL knows them (it does the date arithmetic)."""

from __future__ import annotations

import functools
import re
import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

FALLBACK = "UTC"


async def load_names(pool: Any) -> frozenset[str]:
    rows = await pool.fetch("SELECT name FROM pg_timezone_names")
    return frozenset(row["name"] for row in rows)


# PostgreSQL's copies of the zones (posix/, right/) and names nobody picks from a list.
NOT_OFFERED = ("posix/", "right/", "Etc/", "SystemV/")
# Old names in those areas that are a state or a country, not a city: "Samoa" is not where
# Pacific/Samoa keeps time (American Samoa's, a day behind Apia's).
NOT_CITIES = frozenset(
    {
        "Australia/ACT",
        "Australia/LHI",
        "Australia/NSW",
        "Australia/North",
        "Australia/South",
        "Australia/West",
        "Australia/Queensland",
        "Australia/Tasmania",
        "Australia/Victoria",
        "Australia/Yancowinna",
        "Pacific/Samoa",
    }
)
# The areas whose names are cities (tz's continents and oceans).
AREAS = frozenset(
    {
        "Africa",
        "America",
        "Antarctica",
        "Arctic",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
    }
)
# Also said to someone who typed a real city tz has no name for (Lyon, Seville, Kraków):
# "type a city" alone would tell them to do what they did.
TYPE_ONE = (
    "We don't know that time zone. Type a city, like London, or the nearest big one in your"
    " time zone, or a zone like America/New_York."
)

# Big cities people type that have no tz name of their own, each in a country (or US state)
# whose clocks all keep one zone's time, with the words that may follow it after a comma
# (its country, or state: "San Francisco, CA"). Small on purpose: a city in two places on
# different clocks is left out, as a wrong zone saved moves every reminder and a refusal
# costs one retype: Washington (the state keeps Pacific time: DC only), Hyderabad (India,
# Pakistan), Portland (Maine, Oregon), Birmingham and Manchester (England, Alabama, New
# Hampshire), Saint Petersburg (Russia, Florida), Wellington (New Zealand, Florida),
# Barcelona (Spain, Venezuela). Many others have a namesake town elsewhere (Atlanta, Texas;
# Las Vegas, New Mexico; Geneva, New York): after a comma, only the words listed are taken,
# so "Ottawa, Illinois" is refused, not put in Toronto.
_US = "us usa united_states united_states_of_america"
_BIG_CITIES = (
    ("America/New_York", "boston", f"ma massachusetts {_US}"),
    ("America/New_York", "philadelphia", f"pa pennsylvania {_US}"),
    ("America/New_York", "atlanta", f"ga georgia {_US}"),
    ("America/New_York", "miami", f"fl florida {_US}"),
    ("America/New_York", "washington_dc washington_d_c", _US),
    ("America/Chicago", "houston dallas", f"tx texas {_US}"),
    ("America/Los_Angeles", "san_francisco san_diego", f"ca california {_US}"),
    ("America/Los_Angeles", "seattle", f"wa washington {_US}"),
    ("America/Los_Angeles", "las_vegas", f"nv nevada {_US}"),
    ("America/Toronto", "ottawa", "on ontario canada"),
    ("America/Mexico_City", "ciudad_de_mexico", "mexico mx"),
    ("America/Sao_Paulo", "rio_de_janeiro", "rj brazil brasil br"),
    ("Europe/London", "edinburgh", "scotland uk united_kingdom gb great_britain"),
    (
        "Europe/Berlin",
        "munich munchen frankfurt hamburg cologne koln",
        "germany deutschland de",
    ),
    ("Europe/Zurich", "geneva geneve", "switzerland schweiz suisse ch"),
    ("Europe/Rome", "milan milano", "italy italia it"),
    (
        "Asia/Kolkata",
        "mumbai bombay delhi new_delhi bangalore bengaluru chennai",
        "india in",
    ),
    ("Asia/Shanghai", "beijing peking guangzhou shenzhen", "china prc cn"),
    ("Asia/Tokyo", "osaka kyoto", "japan jp"),
    ("Asia/Ho_Chi_Minh", "ho_chi_minh_city hanoi", "vietnam viet_nam vn"),
)
ALIASES = {city: zone for zone, cities, _ in _BIG_CITIES for city in cities.split()}
# The words each may be followed by after a comma.
ALIAS_PLACES = {
    city: frozenset(places.split()) for _, cities, places in _BIG_CITIES for city in cities.split()
}


# Left empty (Settings, an event's form): asked for, not "We don't know that time zone", which
# reads as if something wrong had been typed. A time zone, not "your": an event's is its own.
EMPTY = "Type a time zone, or a city in it, like London."

# Known to PostgreSQL but not offered, typed: an abbreviation or an offset ("EST", "MST",
# "Etc/GMT+3"). Most keep one offset all year (EST in July is an hour off New York's
# clocks), and POSIX signs run backwards (Etc/GMT+3 is three hours behind UTC).
NOT_A_PLACE = (
    "Abbreviations and offsets (EST, GMT+3) can be hours off a place's clocks: EST is an hour"
    " off New York's all summer. Type a city, like London, or a zone like America/New_York."
)


def find(value: str, known: frozenset[str], *, unchanged: str | None = None) -> str | None:
    """The zone ``value`` names as typed on a phone (any case, a space for an underscore,
    accents or none: "america/new york"), or its city alone ("London", "São Paulo"), also
    with its country after a comma ("Paris, France"), or a big city of ``ALIASES``
    ("Munich"), or None. Only the zones the field suggests
    (``choices``) are found: a person means a place. ``unchanged`` is the zone the field
    was filled with, kept as it is when sent back so (the browser's, which may be none of
    those, as Settings shows it)."""
    value = value.strip()
    if unchanged is not None and value == unchanged and value in known:
        return value
    offered = _offered(known)
    if value in offered:
        return value
    folded = _fold(value)
    by_name, by_city = _folded_indexes(offered)
    city = _fold(value.split(",", 1)[0])
    found = by_name.get(folded) or by_city.get(folded) or by_city.get(city)
    if found is None:
        found = _alias(folded)
    return found if found is None or found in offered else None


def _alias(folded: str) -> str | None:
    """The zone of a big city of ``ALIASES`` typed (folded), alone or followed after a comma
    by its country or state; words only: "Washington, D.C." and "washington dc" are one."""

    def words(text: str) -> str:
        return "_".join(re.findall(r"[^\W_]+", text))

    whole = words(folded)
    if whole in ALIASES:
        return ALIASES[whole]
    city, comma, place = folded.partition(",")
    city = words(city)
    if comma and city in ALIASES and words(place) in ALIAS_PLACES[city]:
        return ALIASES[city]
    return None


def mistake(value: str, known: frozenset[str]) -> str:
    """What to say of a typed zone ``find`` did not find (or of none typed)."""
    if not value.strip():
        return EMPTY
    folded = _fold(value)
    return NOT_A_PLACE if folded in _folded_indexes(known)[0] else TYPE_ONE


def _fold(value: str) -> str:
    # As a phone types it: any case, a space for tz's underscore, and with or without its
    # accents ("São Paulo" is America/Sao_Paulo; tz names are ASCII). Casefolded first:
    # "İ" folds to an "i" and a combining dot, dropped with the accents.
    decomposed = unicodedata.normalize("NFKD", value.strip().casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return plain.replace(" ", "_")


@functools.lru_cache(maxsize=4)
def _folded_indexes(known: frozenset[str]) -> tuple[dict[str, str], dict[str, str]]:
    # Once per set of names (a frozenset keeps its hash): a swap from a browser that sends
    # no zone looks here, and a scan of PostgreSQL's 1,200 names cost it some 50 µs.
    by_name = {_fold(name): name for name in known}
    # Cities of the continents and oceans only: the old country names (US/, Brazil/West,
    # Pacific/Samoa is American Samoa) would answer "west" or "Samoa" with the wrong side of
    # the world. A city in two names is found only when they keep the same time now
    # (America/Buenos_Aires, America/Argentina/Buenos_Aires), as the shorter.
    cities: dict[str, list[str]] = {}
    for name in sorted(known, key=lambda name: (len(name), name)):
        area, _, city = name.partition("/")
        if area in AREAS and city and name not in NOT_CITIES:
            cities.setdefault(_fold(city.rsplit("/", 1)[-1]), []).append(name)
    now = datetime.now(UTC)
    by_city = {
        city: names[0]
        for city, names in cities.items()
        if len({_offset(name, now) for name in names}) == 1
    }
    return by_name, by_city


def _offset(name: str, now: datetime) -> timedelta | None:
    try:
        return now.astimezone(ZoneInfo(name)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        return None


def choose(value: str, known: frozenset[str]) -> str:
    """The browser's zone when PostgreSQL knows it; UTC otherwise (changeable in settings).
    Any name it knows: a browser's is a tz name that means what it says (Etc/GMT-3 when
    that is how its device is set)."""
    value = value.strip()
    if not value:
        # A browser that sent none (every swap from one without a zone): no name of
        # PostgreSQL's is empty or folds to nothing, so find() would say None, after some µs.
        return FALLBACK
    return value if value in known else find(value, known) or FALLBACK


@functools.lru_cache(maxsize=4)
def _offered(known: frozenset[str]) -> frozenset[str]:
    # Cached as the indexes are: one object per set of names, so theirs are built once.
    return frozenset(choices(known))


def choices(known: frozenset[str]) -> tuple[str, ...]:
    """The zones a time zone field suggests as it is typed in (its datalist): Area/City
    names and UTC."""
    return tuple(
        sorted(
            name
            for name in known
            if name == FALLBACK or ("/" in name and not name.startswith(NOT_OFFERED))
        )
    )
