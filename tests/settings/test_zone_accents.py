"""A time zone typed in Settings as a phone types a city: with its accents ("São Paulo"),
or a big city tz has no name for ("Munich" keeps Berlin's time). A city we cannot place
is refused with what to type instead, not told to type the city it is."""

from __future__ import annotations

import pytest

from server.db import time_zones
from tests.phone import Phone, text_of

TIMING = {"followup_timing": "in_3_days"}


async def saves(phone: Phone, typed: str) -> int:
    response = await phone.post(phone.url("settings_save"), {"time_zone": typed, **TIMING})
    return response.status_code


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("São Paulo", "America/Sao_Paulo"),
        ("Zürich", "Europe/Zurich"),
        ("Bogotá", "America/Bogota"),
        ("Montréal", "America/Montreal"),
        ("Reykjavík", "Atlantic/Reykjavik"),
        ("Asunción", "America/Asuncion"),
        ("córdoba, argentina", "America/Cordoba"),
        ("america/são paulo", "America/Sao_Paulo"),
        ("İstanbul", "Asia/Istanbul"),
    ],
)
async def test_a_city_typed_with_its_accents_is_saved(new_phone, pool, typed: str, zone: str):
    phone = await new_phone()
    await phone.make_card()
    assert await saves(phone, typed) == 303
    assert await pool.fetchval("SELECT time_zone FROM accounts") == zone


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Munich", "Europe/Berlin"),
        ("München", "Europe/Berlin"),
        ("Beijing", "Asia/Shanghai"),
        ("Mumbai", "Asia/Kolkata"),
        ("New Delhi", "Asia/Kolkata"),
        ("San Francisco, CA", "America/Los_Angeles"),
        ("Munich, Germany", "Europe/Berlin"),
        ("Boston, MA", "America/New_York"),
        ("Boston", "America/New_York"),
        ("Washington, D.C.", "America/New_York"),
        ("washington dc", "America/New_York"),
    ],
)
async def test_a_big_city_with_no_zone_of_its_own_keeps_its_countrys(
    new_phone, pool, typed: str, zone: str
):
    phone = await new_phone()
    await phone.make_card()
    assert await saves(phone, typed) == 303
    assert await pool.fetchval("SELECT time_zone FROM accounts") == zone


@pytest.mark.parametrize(
    "typed",
    [
        "Washington",
        "Lyon",
        # Big cities with a namesake on other clocks: refused, never saved hours off.
        "Birmingham, AL",
        "Manchester, NH",
        "St. Petersburg, FL",
        "Wellington, FL",
        "Barcelona, Venezuela",
        "Ottawa, Illinois",
        "Munich, North Dakota",
    ],
)
async def test_a_city_we_cannot_place_asks_for_the_nearest_big_one(new_phone, pool, typed: str):
    # Washington alone may be the state, on Pacific time: refused, not saved three hours off.
    phone = await new_phone()
    await phone.make_card()
    response = await phone.post(phone.url("settings_save"), {"time_zone": typed, **TIMING})
    assert response.status_code == 422
    assert "or the nearest big one in your time zone" in text_of(response)
    assert await pool.fetchval("SELECT time_zone FROM accounts") == "UTC"


async def test_every_big_city_names_a_zone_offered_and_hides_no_tz_city(pool):
    known = await time_zones.load_names(pool)
    offered = time_zones.choices(known)
    assert {zone for zone in time_zones.ALIASES.values() if zone not in offered} == set()
    for city in time_zones.ALIASES:  # a tz city of that name is found first: none is hidden
        assert time_zones.find(city, known) == time_zones.ALIASES[city]
        assert not any(name.casefold().endswith("/" + city) for name in known), city
