"""The follow-ups calendar file, read back with icalendar: one event and alarm per follow-up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from server.followups.calendar_file import build

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def item(id_: int, contact_id: int, name: str, due_at: datetime, **extra) -> dict:
    return {
        "id": id_,
        "contact_id": contact_id,
        "name": name,
        "due_at": due_at,
        "met_at": NOW - timedelta(hours=3),
        **extra,
    }


def parse(items) -> Calendar:
    body = build(
        items,
        base_url="https://reachout.example",
        now=NOW,
        tz="UTC",
        contact_path=lambda contact_id: f"/contacts/{contact_id}",
    )
    assert isinstance(body, bytes)
    return Calendar.from_ical(body)


def test_each_follow_up_is_an_event_with_an_alarm_and_a_link():
    calendar = parse(
        [
            item(1, 10, "Dana Lee", NOW + timedelta(days=1), promised="an intro"),
            item(2, 20, "Ben Ode", NOW + timedelta(days=2)),
        ]
    )
    assert str(calendar["version"]) == "2.0"
    events = calendar.walk("VEVENT")
    assert [str(e["uid"]) for e in events] == ["followup-1@reachout", "followup-2@reachout"]
    dana = events[0]
    assert str(dana["summary"]) == "Follow up with Dana Lee"
    assert str(dana["url"]) == "https://reachout.example/contacts/10"
    assert "You promised: an intro." in str(dana["description"])
    assert str(dana["description"]).endswith("\nhttps://reachout.example/contacts/10")
    assert dana.decoded("dtstart") == NOW + timedelta(days=1)
    assert dana.decoded("duration") == timedelta(minutes=15)
    alarms = dana.walk("VALARM")
    assert len(alarms) == 1
    assert str(alarms[0]["action"]) == "DISPLAY"
    assert alarms[0].decoded("trigger") == timedelta(0)
    assert str(events[1]["url"]) == "https://reachout.example/contacts/20"


def test_names_with_calendar_syntax_stay_in_their_field():
    name = "Eve;X-EVIL:1\nBEGIN:VEVENT, Jr."
    calendar = parse([item(4, 40, name, NOW + timedelta(hours=1))])
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    assert str(events[0]["summary"]) == f"Follow up with {name}"
    assert "X-EVIL" not in events[0]


def test_no_follow_ups_is_an_empty_but_valid_calendar():
    calendar = parse([])
    assert calendar.walk("VEVENT") == []
    assert str(calendar["x-wr-calname"]) == "Reachout follow-ups"


def test_each_entry_reads_right_when_its_alarm_goes_off():
    # Saved today, about people met today: tomorrow's alarm says "yesterday", not "today".
    calendar = parse(
        [
            item(1, 10, "Dana Lee", NOW + timedelta(days=1), met_event_name="Lunch & Learn"),
            item(2, 20, "Ben Ode", NOW + timedelta(days=3)),
            item(3, 30, "Ann Åström", NOW - timedelta(hours=1)),  # due already: now
        ]
    )
    descriptions = [str(e["description"]).split("\n")[0] for e in calendar.walk("VEVENT")]
    assert descriptions == [
        "You met at Lunch & Learn, yesterday.",
        "You met on Tuesday.",
        "You met today.",
    ]
