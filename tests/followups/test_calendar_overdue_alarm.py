"""An overdue follow-up's calendar entry rings after the file is imported: it starts a little
after the file was made (at a waking hour), never at the moment it was made, already past."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from server.followups.calendar_file import build


def entry_start(now: datetime, due_at: datetime, tz: str) -> tuple[datetime, timedelta]:
    body = build(
        [{"id": 1, "contact_id": 2, "name": "Ana Silva", "due_at": due_at, "met_at": due_at}],
        base_url="https://reachout.example",
        now=now,
        tz=tz,
        contact_path=lambda contact_id: f"/contacts/{contact_id}",
    )
    [event] = Calendar.from_ical(body).walk("VEVENT")
    [alarm] = event.walk("VALARM")
    return event.decoded("dtstart"), alarm.decoded("trigger")


def test_an_overdue_entry_rings_a_quarter_of_an_hour_after_the_file_is_made():
    made = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    start, trigger = entry_start(made, made - timedelta(days=2), "Europe/London")
    assert start == made + timedelta(minutes=15)  # calendar_file.IMPORT_LEAD
    assert trigger == timedelta(0)  # the alarm at the start: still ahead once imported


def test_one_due_within_minutes_also_waits_for_the_import():
    made = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    start, _ = entry_start(made, made + timedelta(minutes=2), "UTC")
    assert start == made + timedelta(minutes=15)


def test_one_still_to_come_keeps_its_own_time():
    made = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    due = made + timedelta(days=1)
    assert entry_start(made, due, "UTC")[0] == due


def test_a_file_made_late_at_night_rings_for_the_overdue_at_nine_next_morning():
    # 23:00 in Berlin (22:00 UTC): not at 23:15, but 09:00 Berlin time the next day.
    made = datetime(2026, 12, 1, 22, 0, tzinfo=UTC)
    start, _ = entry_start(made, made - timedelta(days=2), "Europe/Berlin")
    assert start == datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


def test_a_file_made_before_dawn_rings_for_the_overdue_at_nine_that_morning():
    made = datetime(2026, 12, 1, 6, 30, tzinfo=UTC)  # 01:30 in New York
    start, _ = entry_start(made, made - timedelta(days=2), "America/New_York")
    assert start == datetime(2026, 12, 1, 14, 0, tzinfo=UTC)  # 09:00 there
