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
# A calendar takes a re-imported entry (same UID) only when its SEQUENCE grew (RFC 5545
# §3.8.7.4, RFC 5546 §2.1.4): it counts seconds from here, to 2088 within RFC 5545's 32-bit
# "integer", so every change (a snooze, Done, a zone move) and every new start of an overdue
# entry gets a higher one than any file made before it.
SEQUENCE_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
# Follow-ups done or turned off this lately (this many at most) come as cancelled entries, so
# a calendar that imported them open drops them, and their alarms, once the file is re-added.
CANCELLED_DAYS = 30
CANCELLED_LIMIT = 500
# Follow-ups that went with their contact (they removed or blocked me, deleted their account,
# or I removed them) come as cancelled entries too, for as long (gone_followups, migration
# 0061), under this summary: the person is gone, and so is their name.
GONE_SUMMARY = "Cancelled follow-up"


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


def _seconds(at: datetime, *, round_up: bool) -> int:
    delta = at - SEQUENCE_EPOCH
    seconds = delta.days * 86400 + delta.seconds + (1 if round_up and delta.microseconds else 0)
    return max(0, seconds)


def sequence(changed_at: datetime, now: datetime, *, starts_now: bool) -> int:
    """An entry's SEQUENCE: the second it last changed (``updated_at``), rounded up; for one
    whose start is made from ``now`` (overdue), the file's own second, rounded down. A change
    after a file then always counts higher than that file's entries, even in the same second."""
    changed = _seconds(changed_at, round_up=True)
    return max(changed, _seconds(now, round_up=False)) if starts_now else changed


def build(
    items: Iterable[Mapping[str, Any]], *, base_url: str, now: datetime, tz: str, contact_path: Any
) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Reachout//Follow-ups//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    # Published, not an invitation: the entries are ours to update, by UID and SEQUENCE.
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "Reachout follow-ups")
    overdue = overdue_start(now, tz)
    for item in items:
        # Rows without these (older callers) count as open and changed as the file is made.
        changed_at = item.get("updated_at") or now
        status = item.get("status", "open")
        if status != "open":
            summary = (
                GONE_SUMMARY if status == "gone" else wording.reminder(item, item["due_at"], tz)[0]
            )
            calendar.add_component(
                _cancelled(item, now=now, changed_at=changed_at, summary=summary)
            )
            continue
        # Due by the time it is imported: later, so the alarm rings; else when it falls due.
        starts_now = item["due_at"] < now + IMPORT_LEAD
        start = overdue if starts_now else item["due_at"]
        # Worded for when the alarm goes off, not for the day the file was saved.
        title, body = wording.reminder(item, start, tz)
        link = f"{base_url}{contact_path(item['contact_id'])}"
        event = Event()
        event.add("uid", _uid(item))
        event.add("dtstamp", now)
        event.add("sequence", sequence(changed_at, now, starts_now=starts_now))
        event.add("status", "CONFIRMED")
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


def _uid(item: Mapping[str, Any]) -> str:
    return f"followup-{item['id']}@reachout"


def _cancelled(
    item: Mapping[str, Any], *, now: datetime, changed_at: datetime, summary: str
) -> Event:
    """A follow-up done, turned off or gone with its contact: cancelled, with the SEQUENCE of
    that change, so a calendar that imported it open drops it (or shows it struck out) and its
    alarm is gone."""
    event = Event()
    event.add("uid", _uid(item))
    event.add("dtstamp", now)
    event.add("sequence", sequence(changed_at, now, starts_now=False))
    event.add("status", "CANCELLED")
    event.add("transp", "TRANSPARENT")
    event.add("dtstart", item["due_at"])
    event.add("duration", timedelta(minutes=15))
    event.add("summary", summary)
    return event
