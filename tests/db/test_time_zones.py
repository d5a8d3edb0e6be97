"""Time zones as PostgreSQL knows them: the browser's when known, UTC otherwise."""

from __future__ import annotations

from server.db import time_zones


async def test_names_come_from_postgresql_and_unknown_ones_fall_back_to_utc(pool):
    known = await time_zones.load_names(pool)
    assert {"Europe/Berlin", "America/New_York", "Asia/Kolkata"} <= known
    assert time_zones.choose(" Europe/Berlin ", known) == "Europe/Berlin"
    assert time_zones.choose("Mars/Olympus_Mons", known) == "UTC"
    assert time_zones.choose("", known) == "UTC"
