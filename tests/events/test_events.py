"""Event codes, the organizer's form and roster search terms, without a database."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from starlette.datastructures import FormData

from server.events import events

ZONES = frozenset({"UTC", "Europe/London", "America/New_York"})


def form(**overrides: str) -> FormData:
    values = {
        "name": "Lunch & Learn",
        "venue": "Library",
        "description": "Talks",
        "starts_at": "2026-12-01T12:00",
        "ends_at": "2026-12-01T14:00",
        "time_zone": "Europe/London",
        **overrides,
    }
    return FormData(list(values.items()))


def test_codes_are_unambiguous():
    for _ in range(200):
        code = events.new_code()
        assert events.normalise_code(code) == code
        assert not set(code) & set("01ILO")
    assert events.normalise_code("abc 234") == "ABC234"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("abc-234", "ABC234"),
        (" a b c\t2 3 4 ", "ABC234"),
        ("abc\u2014234", "ABC234"),  # a phone's keyboard makes "--" an em dash
        ("ABC\u2013234", "ABC234"),  # an en dash
        ("\uff21\uff22\uff23\uff0d\uff12\uff13\uff14", "ABC234"),  # full width
        ("ABC23", None),
        ("ABC2345", None),
        ("ABC230", None),  # 0 is not in the alphabet
        ("ABCD1L", None),
        ("ABC_23", None),
        ("", None),
    ],
)
def test_normalise_code(typed, code):
    assert events.normalise_code(typed) == code


def test_spoken_code_splits_in_the_middle():
    assert events.spoken("ABC234") == "ABC-234"
    assert events.normalise_code(events.spoken("XYZ789")) == "XYZ789"


def test_a_good_form_gives_times_in_the_events_zone():
    result = events.validate(form(), ZONES)
    assert result.errors == {}
    assert result.starts_at is not None and result.ends_at is not None
    assert result.starts_at.tzinfo == ZoneInfo("Europe/London")
    assert result.starts_at.hour == 12 and result.ends_at.hour == 14


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ends_at": "2026-12-01T11:00"}, "ends_at", "after the start"),
        ({"ends_at": "2026-12-01T12:00"}, "ends_at", "after the start"),
        ({"ends_at": "2026-12-15T12:01"}, "ends_at", "two weeks"),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "time zone"),
        ({"name": ""}, "name", "name"),
        ({"name": "x" * 121}, "name", "120"),
        ({"venue": "x" * 201}, "venue", "200"),
        ({"starts_at": "tomorrow"}, "starts_at", "date and time"),
        ({"starts_at": "2026-12-01T12:00+00:00"}, "starts_at", "date and time"),
    ],
)
def test_bad_forms_name_the_field_and_give_no_times(overrides, field, message):
    result = events.validate(form(**overrides), ZONES)
    assert field in result.errors
    assert message in result.errors[field]
    assert result.starts_at is None and result.ends_at is None
    assert result.values["name"] == overrides.get("name", "Lunch & Learn")


def test_every_mistake_is_said_in_one_round():
    """An unknown zone does not hide that the end is before the start: both at once."""
    result = events.validate(
        form(time_zone="Mars/Olympus", ends_at="2026-12-01T11:00", name=""), ZONES
    )
    assert set(result.errors) == {"time_zone", "ends_at", "name"}


def test_exactly_two_weeks_is_allowed():
    assert events.validate(form(ends_at="2026-12-15T12:00"), ZONES).errors == {}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("dan rec", "dan:* & rec:*"),
        ("Dana", "Dana:*"),  # lowered with the accents, in SQL (search_fold)
        ("&|!:*()'", None),
        ("", None),
        ("   ", None),
        ("o'brien", "o:* & brien:*"),
        ("José", "José:*"),
        ("İpek ŞAHİN", "İpek:* & ŞAHİN:*"),
        ("snake_case", "snake:* & case:*"),
    ],
)
def test_prefix_query(query, expected):
    assert events.prefix_query(query) == expected


def test_prefix_query_caps_words_and_their_length():
    query = events.prefix_query(" ".join(f"w{i}" for i in range(20)) + " " + "x" * 100)
    assert query is not None
    assert query.count(":*") == 8
    long_word = events.prefix_query("y" * 100)
    assert long_word == "y" * 40 + ":*"
