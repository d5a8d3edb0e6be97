"""A new time zone moves every reminder still to come, not only the first: a snooze ("In 3
days", a picked date) and "Remind me tomorrow" name a day, and the app chose its 09:00, so
they come at 09:00 in the new zone on that day, not at 03:00. One whose moved time already
went by is never left at night where she is now."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tests.followups.test_flood import CITY_HOURS_AHEAD
from tests.phone import Phone, text_of
from tests.reminders import swapped
from tests.settings.test_routes import met_three


async def moves_to(phone: Phone, zone: str) -> None:
    saved = await phone.post(
        phone.url("settings_save"), {"time_zone": zone, "followup_timing": "next_morning"}
    )
    assert saved.status_code == 303


async def contact_of(pool, owner_id: int, name: str) -> int:
    return await pool.fetchval(
        "SELECT ct.id FROM contacts ct JOIN cards c ON c.account_id = ct.contact_id"
        " WHERE ct.owner_id = $1 AND c.name = $2",
        owner_id,
        name,
    )


async def test_snoozed_reminders_come_at_nine_on_their_day_in_the_new_zone(new_phone, pool, app):
    # Dana, in Berlin, met Mia, Sam and Ana. She snoozes Mia "In 3 days" and Sam to a date
    # she picks; "You met" Ana's "Remind me tomorrow" sets Ana's for tomorrow. Then she flies
    # to New York and says so in Settings.
    dana = await met_three(new_phone)
    await moves_to(dana, "Europe/Berlin")
    berlin, new_york = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")
    mia, sam = await contact_of(pool, 1, "Mia Chen"), await contact_of(pool, 1, "Sam Roe")
    in_3_days = await dana.post(
        dana.url("followup_change", contact_id=mia), {"action": "snooze", "days": "3"}
    )
    picked = datetime.now(berlin).date() + timedelta(days=10)
    on_a_date = await dana.post(
        dana.url("followup_change", contact_id=sam),
        {"action": "snooze", "date": picked.isoformat()},
    )
    assert (in_3_days.status_code, on_a_date.status_code) == (303, 303)
    ana_id = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Ana Silva'")
    await app.state.sql.run(pool, "mail.remind_tomorrow", account_id=1, about_id=ana_id)
    query = (
        "SELECT c.name, f.due_at FROM followups f JOIN contacts ct ON ct.id = f.contact_id"
        " JOIN cards c ON c.account_id = ct.contact_id WHERE f.owner_id = 1"
    )
    days = {row["name"]: row["due_at"].astimezone(berlin).date() for row in await pool.fetch(query)}
    assert days["Sam Roe"] == picked

    await moves_to(dana, "America/New_York")

    for name, due in (tuple(row) for row in await pool.fetch(query)):
        there = due.astimezone(new_york)
        assert (name, there.date(), there.time()) == (name, days[name], time(9)), name
    page = text_of(await dana.get(dana.url("contact", contact_id=mia)))
    assert "Snoozed until" in page and "at 09:00" in page and "at 03:00" not in page


def night_and_four_hours_behind() -> tuple[str, str]:
    """A zone where it is now 23:00 to 03:59 (the new one) and a zone four hours behind it
    (the old one), both without summer time."""
    for hour in (23, 0, 1, 2, 3):
        ahead = (hour - datetime.now(UTC).hour) % 24
        ahead = ahead - 24 if ahead > 14 else ahead
        if ahead in CITY_HOURS_AHEAD and ahead - 4 in CITY_HOURS_AHEAD:
            return CITY_HOURS_AHEAD[ahead], CITY_HOURS_AHEAD[ahead - 4]
    raise AssertionError("no pair of zones found for the hour")


async def test_a_reminder_whose_moved_hour_went_by_waits_for_the_morning_not_the_night(
    new_phone, pool
):
    # Dana's reminder is an hour from now: 20:00 or so where she was. She moves four hours
    # east, where it is the middle of the night: 20:00 there went by (it is not fired at
    # once), and staying at its moment would buzz her at 00:00 to 04:00. It comes at 09:00.
    new_zone, old_zone = night_and_four_hours_behind()
    dana, _ = await swapped(new_phone)
    await moves_to(dana, old_zone)
    due = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    await pool.execute("UPDATE followups SET due_at = $1 WHERE owner_id = 1", due)

    await moves_to(dana, new_zone)

    moved = await pool.fetchval("SELECT due_at FROM followups WHERE owner_id = 1")
    there, was_there = moved.astimezone(ZoneInfo(new_zone)), due.astimezone(ZoneInfo(new_zone))
    assert (there.date(), there.time()) == (was_there.date(), time(9))
    assert moved > due
    page = text_of(await dana.get(dana.url("followups")))
    assert "at 09:00" in page
