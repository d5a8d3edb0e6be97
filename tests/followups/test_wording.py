"""Follow-up wording: picked snooze dates, day phrases in the person's zone, reach-out links."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

import pytest

from server.followups import wording
from server.followups.wording import InvalidSnooze
from server.web.templating import STATIC_DIR

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # a Tuesday
TOKYO = "Asia/Tokyo"  # UTC+9, no daylight saving


def test_a_picked_date_means_nine_in_the_morning_in_the_persons_zone():
    due = wording.snooze_until("2026-12-24", NOW, "America/New_York")
    assert due.astimezone(UTC) == datetime(2026, 12, 24, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Pick a date from"),
        ("24/12/2026", "Pick a date from"),
        ("2026-02-30", "Pick a date from"),
        ("2026-11-30", "in the future: from"),
        ("2026-12-01", "in the future: from"),  # 09:00 today is already past at noon
        ("2027-12-03", "within the next year: from"),
    ],
)
def test_bad_snooze_dates_are_refused_with_a_reason_and_the_days_there_are(value, message):
    # Noon on 1 Dec 2026: tomorrow is the first day whose 09:00 is ahead.
    with pytest.raises(InvalidSnooze, match=f"{message} 2 Dec 2026 to 2 Dec 2027.$"):
        wording.snooze_until(value, NOW, "UTC")


def test_snooze_today_is_fine_where_it_is_still_before_nine():
    # Noon UTC is 04:00 in Los Angeles: 09:00 there today is still ahead.
    due = wording.snooze_until("2026-12-01", NOW, "America/Los_Angeles")
    assert due > NOW


def test_day_phrases_follow_the_local_calendar_not_utc():
    # 23:30 UTC on 30 Nov is already 1 Dec, 08:30 in Tokyo: "today" there, "yesterday" in UTC.
    met = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    assert wording.day_phrase(met, NOW, TOKYO) == "today"
    assert wording.day_phrase(met, NOW, "UTC") == "yesterday"
    assert wording.when_phrase(met, NOW, TOKYO) == "today at 08:30"
    assert wording.when_phrase(met, NOW, "UTC") == "yesterday at 23:30"


def test_day_phrases_around_midnight():
    zone = ZoneInfo(TOKYO)
    now = datetime(2026, 12, 2, 0, 5, tzinfo=zone)
    assert wording.day_phrase(datetime(2026, 12, 1, 23, 55, tzinfo=zone), now, TOKYO) == "yesterday"
    assert wording.day_phrase(datetime(2026, 12, 2, 0, 0, tzinfo=zone), now, TOKYO) == "today"
    assert wording.day_phrase(datetime(2026, 12, 3, 0, 0, tzinfo=zone), now, TOKYO) == "tomorrow"


def test_day_phrases_further_away():
    assert wording.day_phrase(NOW - timedelta(days=3), NOW, "UTC") == "on Saturday"
    assert wording.day_phrase(NOW - timedelta(days=7), NOW, "UTC") == "on 24 Nov"
    assert wording.day_phrase(NOW + timedelta(days=3), NOW, "UTC") == "on 4 Dec"
    assert wording.day_phrase(NOW - timedelta(days=400), NOW, "UTC") == "on 27 Oct 2025"


@pytest.mark.parametrize(
    ("followup", "expected"),
    [
        ({"status": "done", "due_at": NOW, "snoozed": False}, "Done"),
        ({"status": "off", "due_at": NOW, "snoozed": False}, "No reminder"),
        ({"status": "open", "due_at": NOW - timedelta(hours=1), "snoozed": False}, "Due now"),
        (
            {"status": "open", "due_at": NOW - timedelta(days=1), "snoozed": False},
            "Overdue since yesterday",
        ),
        (
            {"status": "open", "due_at": NOW + timedelta(hours=6), "snoozed": False},
            "Reminder today at 18:00",
        ),
        (
            {"status": "open", "due_at": NOW + timedelta(days=1), "snoozed": True},
            "Snoozed until tomorrow at 12:00",
        ),
        # A day further away reads "until 4 Dec", "since Saturday": never "until on".
        (
            {"status": "open", "due_at": NOW + timedelta(days=3), "snoozed": True},
            "Snoozed until 4 Dec at 12:00",
        ),
        (
            {"status": "open", "due_at": NOW - timedelta(days=3), "snoozed": False},
            "Overdue since Saturday",
        ),
        (
            {"status": "open", "due_at": NOW + timedelta(days=3), "snoozed": False},
            "Reminder on 4 Dec at 12:00",
        ),
    ],
)
def test_state(followup, expected):
    assert wording.state(followup, NOW, "UTC") == expected


def test_someone_who_wants_no_reminders_is_told_when_to_follow_up_not_of_a_reminder():
    tomorrow = {"status": "open", "due_at": NOW + timedelta(hours=21), "snoozed": False}
    assert wording.state(tomorrow, NOW, "UTC") == "Reminder tomorrow at 09:00"
    assert wording.state(tomorrow, NOW, "UTC", reminded=False) == "Follow up tomorrow at 09:00"


CONTACT = {
    "name": "Dana Lee",
    "email": "dana@example.com",
    "phone": "+14155550134",
    "linkedin": "https://www.linkedin.com/in/danalee",
    "met_at": NOW - timedelta(hours=2),
    "looking_for": "Online marketers.",
    "promised": "",
    "they_asked": "",
}


def test_message_mentions_what_they_want_and_what_i_promised():
    text = wording.message("Mia Chen", {**CONTACT, "promised": "an intro to Sam."}, NOW, "UTC")
    assert text.startswith("Hi Dana,\n")
    assert "Great to meet you today!" in text
    assert "looking for Online marketers." in text and "marketers.." not in text
    assert "As promised: an intro to Sam." in text
    assert text.endswith("\nMia")


def test_message_mentions_what_they_asked_when_nothing_was_promised():
    contact = {**CONTACT, "they_asked": "a salary range", "looking_for": ""}
    contact["met_at"] = NOW - timedelta(days=5)
    text = wording.message("Mia", contact, NOW, "UTC")
    assert "About what you asked (a salary range)" in text
    assert "Great to meet you!" in text and "looking for" not in text


def test_reach_out_url_for_email_sms_and_linkedin():
    text = "Hi Dana,\n\nA & B? 50%"
    mail = urlsplit(wording.reach_out_url("email", CONTACT, text))
    assert mail.scheme == "mailto" and mail.path == "dana@example.com"
    assert parse_qs(mail.query)["body"] == [text]
    assert "+" not in mail.query  # spaces are %20: mail apps show a "+" literally

    sms = wording.reach_out_url("sms", CONTACT, text)
    assert sms.startswith("sms:+14155550134?&body=")
    assert unquote(sms.split("body=", 1)[1]) == text

    assert wording.reach_out_url("linkedin", CONTACT, text) == CONTACT["linkedin"]


@pytest.mark.parametrize("channel", ["email", "sms", "linkedin"])
def test_no_url_without_the_detail_or_for_an_unknown_channel(channel):
    field = {"email": "email", "sms": "phone", "linkedin": "linkedin"}[channel]
    assert wording.reach_out_url(channel, {**CONTACT, field: ""}, "hi") is None
    assert wording.reach_out_url("carrier-pigeon", CONTACT, "hi") is None


def test_reminder_wording():
    title, body = wording.reminder(
        {**CONTACT, "promised": "a deck", "they_asked": "rates"}, NOW, "UTC"
    )
    assert title == "Follow up with Dana Lee"
    assert body == "You met today. You promised: a deck. They asked: rates."


def test_the_earliest_day_to_snooze_to_is_one_whose_nine_oclock_is_ahead():
    berlin = ZoneInfo("Europe/Berlin")
    early = datetime(2026, 12, 4, 8, 59, tzinfo=berlin)
    late = datetime(2026, 12, 4, 9, 0, tzinfo=berlin)
    assert wording.earliest_snooze_day(early, "Europe/Berlin") == date(2026, 12, 4)
    assert wording.earliest_snooze_day(late, "Europe/Berlin") == date(2026, 12, 5)
    # The earliest day offered is one snooze_until takes.
    for now in (early, late):
        day = wording.earliest_snooze_day(now, "Europe/Berlin")
        assert wording.snooze_until(day.isoformat(), now, "Europe/Berlin") > now


def test_the_latest_day_to_snooze_to_is_the_last_one_snooze_until_takes():
    for zone in ("Europe/Berlin", "Pacific/Kiritimati", "America/Los_Angeles"):
        for now in (
            datetime(2026, 12, 4, 8, 59, tzinfo=ZoneInfo(zone)),
            datetime(2026, 12, 4, 9, 0, tzinfo=ZoneInfo(zone)),
            datetime(2026, 3, 29, 23, 30, tzinfo=UTC),
        ):
            day = wording.latest_snooze_day(now, zone)
            assert wording.snooze_until(day.isoformat(), now, zone) > now
            with pytest.raises(wording.InvalidSnooze, match="within the next year"):
                wording.snooze_until((day + timedelta(days=1)).isoformat(), now, zone)


def test_overdue_since_earlier_today_says_the_hour():
    now = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)
    due = {"status": "open", "due_at": datetime(2026, 12, 1, 0, 30, tzinfo=UTC), "snoozed": False}
    assert wording.state(due, now, "UTC") == "Overdue since 00:30"


def test_the_notifications_snooze_button_says_until_when():
    """The reminder notification's second button snoozes until the next morning
    (followups.snooze_once, one day): its title says so, as the email's "Snooze a week"
    does, rather than a bare "Snooze"."""
    script = (STATIC_DIR / "sw-push.js").read_text()
    buttons = dict(re.findall(r'\{ action: "(\w+)", title: "([^"]+)" \}', script))
    assert buttons == {"done": "Done", "snooze": "Remind me tomorrow"}


def test_tomorrow_pressed_after_midnight_is_said_as_this_morning():
    """ "Tomorrow" snoozes to the next day's 09:00, the night belonging to the day before: at
    00:48 in London that is this morning, and #flash, the button's description and the
    contact page say so, as the row's own line does."""
    london = "Europe/London"
    assert wording.tomorrow_morning(datetime(2026, 12, 8, 0, 48, tzinfo=UTC), london) == (
        "this morning"
    )
    assert wording.tomorrow_morning(datetime(2026, 12, 8, 10, 0, tzinfo=UTC), london) == (
        "tomorrow morning"
    )
    # 00:48 UTC is 09:48 in Tokyo: the day has begun there.
    assert wording.tomorrow_morning(datetime(2026, 12, 8, 0, 48, tzinfo=UTC), TOKYO) == (
        "tomorrow morning"
    )
