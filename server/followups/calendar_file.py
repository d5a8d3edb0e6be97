"""Follow-ups as an iCalendar file with alarms, for phones that never get a push."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event

from server.followups import wording

# An entry due already (or within this) starts this long after the file is made: time to save
# it and import it, so its alarm is still ahead when the calendar has it and rings, rather
# than having gone off, unseen, the moment the file was made.
IMPORT_LEAD = timedelta(minutes=15)
# ...and at a waking hour, as the worker sends reminders (waking_hour() in sql/logic.sql):
# a file saved at 23:00 rings for the overdue at 09:00, not at 23:15 or in the night.
WAKING_FROM, WAKING_UNTIL = time(9, 0), time(22, 0)


def overdue_start(now: datetime, tz: str) -> datetime:
    """When an entry due already starts: ``IMPORT_LEAD`` from ``now``, or the next 09:00 in
    ``tz`` when that falls in the night."""
    zone = ZoneInfo(tz)
    soonest = (now + IMPORT_LEAD).astimezone(zone)
    if WAKING_FROM <= soonest.time() <= WAKING_UNTIL:
        start = soonest
    else:
        day = soonest.date() + timedelta(days=0 if soonest.time() < WAKING_FROM else 1)
        start = datetime.combine(day, WAKING_FROM, zone)
    # In UTC, as every other start in the file: a TZID would need a VTIMEZONE to go with it.
    return start.astimezone(UTC)


def build(
    items: Iterable[Mapping[str, Any]], *, base_url: str, now: datetime, tz: str, contact_path: Any
) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Reachout//Follow-ups//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Reachout follow-ups")
    overdue = overdue_start(now, tz)
    for item in items:
        # Due by the time it is imported: later, so the alarm rings; else when it falls due.
        start = item["due_at"] if item["due_at"] >= now + IMPORT_LEAD else overdue
        # Worded for when the alarm goes off, not for the day the file was saved.
        title, body = wording.reminder(item, start, tz)
        link = f"{base_url}{contact_path(item['contact_id'])}"
        event = Event()
        event.add("uid", f"followup-{item['id']}@reachout")
        event.add("dtstamp", now)
        event.add("dtstart", start)
        event.add("duration", timedelta(minutes=15))
        event.add("summary", title)
        event.add("description", f"{body}\n{link}")
        event.add("url", link)
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", title)
        alarm.add("trigger", timedelta(0))
        event.add_component(alarm)
        calendar.add_component(event)
    return bytes(calendar.to_ical())
