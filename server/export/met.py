"""Where and when we met, in my time zone: what every export says of each contact."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo


def met_on(contact: Any, zone: ZoneInfo) -> date:
    """The day we met, on my calendar (not UTC's: a swap at 21:00 in New York is that day)."""
    met: date = contact["met_at"].astimezone(zone).date()
    return met


def note(contact: Any, zone: ZoneInfo) -> str:
    """Where and when we met, my note, and what we promised each other: the NOTE of a
    contacts app, which keeps nothing else of it."""
    day = met_on(contact, zone)
    when = f"{day.day} {day:%b %Y}"
    where = f"at {contact['event_name']} on {when}" if contact["event_name"] else f"on {when}"
    lines = [f"Met {where} (swapped details on Reachout)."]
    if contact["note"]:
        lines.append(contact["note"])
    if contact["promised"]:
        lines.append(f"I promised them: {contact['promised']}")
    if contact["they_asked"]:
        lines.append(f"They asked me for: {contact['they_asked']}")
    return "\n".join(lines)
