"""Follow-ups as an iCalendar file with alarms, for phones that never get a push."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from icalendar import Alarm, Calendar, Event

from server.followups import wording


def build(
    items: Iterable[Mapping[str, Any]], *, base_url: str, now: datetime, tz: str, contact_path: Any
) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Reachout//Follow-ups//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Reachout follow-ups")
    for item in items:
        start = max(item["due_at"], now)
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
