"""A time zone field left empty in Settings is asked for, not answered "We don't know that time
zone", which reads as if something wrong had been typed."""

from __future__ import annotations

from tests.phone import soup, text_of


async def test_an_empty_time_zone_asks_for_one(new_phone, pool):
    phone = await new_phone()
    await phone.make_card()
    for typed in ("", "   "):
        answer = await phone.post(
            phone.url("settings_save"), {"time_zone": typed, "followup_timing": "in_3_days"}
        )
        assert answer.status_code == 422
        said = " ".join(soup(answer).select_one("#time-zone").find_parent().get_text().split())
        assert "Type a time zone, or a city in it, like London." in said, said
        assert "We don't know that time zone" not in text_of(answer)
    # Nothing saved: the zone and the timing are as they were.
    assert tuple(await pool.fetchrow("SELECT time_zone, followup_timing FROM accounts")) == (
        "UTC",
        "next_morning",
    )
