"""Time zones as PostgreSQL knows them: the browser's when known, UTC otherwise."""

from __future__ import annotations

from server.db import time_zones


async def test_names_come_from_postgresql_and_unknown_ones_fall_back_to_utc(pool):
    known = await time_zones.load_names(pool)
    assert {"Europe/Berlin", "America/New_York", "Asia/Kolkata"} <= known
    assert time_zones.choose(" Europe/Berlin ", known) == "Europe/Berlin"
    assert time_zones.choose("Mars/Olympus_Mons", known) == "UTC"
    assert time_zones.choose("", known) == "UTC"


async def test_a_zone_typed_on_a_phone_is_found_in_any_case(pool):
    known = await time_zones.load_names(pool)
    assert time_zones.find("america/new york", known) == "America/New_York"
    assert time_zones.find(" EUROPE/BERLIN", known) == "Europe/Berlin"
    assert time_zones.find("utc", known) == "UTC"
    assert time_zones.find("Nowhere/Land", known) is None
    assert time_zones.find("", known) is None


async def test_a_city_alone_finds_its_zone(pool):
    known = await time_zones.load_names(pool)
    assert time_zones.find("Jerusalem", known) == "Asia/Jerusalem"
    assert time_zones.find("london", known) == "Europe/London"
    assert time_zones.find("new york", known) == "America/New_York"
    # In two names (a link to the same zone): the shorter.
    assert time_zones.find("Buenos Aires", known) == "America/Buenos_Aires"
    assert time_zones.find("Atlantis", known) is None
    # Not old state or country names, which would answer with the wrong side of the world.
    assert time_zones.find("west", known) is None  # Brazil/West is Manaus, Australia/West Perth
    assert time_zones.find("Samoa", known) is None  # Pacific/Samoa is American Samoa's
    assert time_zones.find("Apia", known) == "Pacific/Apia"
    # With the country, as a phone's keyboard or a calendar writes a place.
    assert time_zones.find("Paris, France", known) == "Europe/Paris"
    assert time_zones.find("new york, NY", known) == "America/New_York"
    assert time_zones.find("Atlantis, Ocean", known) is None


async def test_the_suggestions_are_zones_people_pick(pool):
    offered = time_zones.choices(await time_zones.load_names(pool))
    assert {"Europe/London", "America/New_York", "Asia/Tokyo", "UTC"} <= set(offered)
    assert list(offered) == sorted(offered)
    assert not [zone for zone in offered if zone.startswith(("posix/", "Etc/"))]
    assert "EST" not in offered and "GMT" not in offered
