"""The pre-written reach-out message: on the app's page, read as it is written, it says when
we met ("Great to meet you today!"); in an email, read hours or days later, it says no day,
which would be wrong by then, but where we met when we know."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.followups import wording

NOW = datetime(2026, 12, 3, 20, 0, tzinfo=UTC)
DANA = {"name": "Dana Lee", "met_at": NOW - timedelta(hours=2)}


def test_the_page_says_today():
    assert "Great to meet you today!" in wording.message("Mia", DANA, NOW, "UTC")


def test_an_email_says_no_day():
    said = wording.message("Mia", DANA, NOW, "UTC", read_later=True)
    assert "Great to meet you!" in said
    assert "today" not in said and "yesterday" not in said
    met_yesterday = {**DANA, "met_at": NOW - timedelta(days=1)}
    assert "yesterday" not in wording.message("Mia", met_yesterday, NOW, "UTC", read_later=True)


def test_an_email_says_where_we_met():
    at_lunch = {**DANA, "met_event_name": "Lunch & Learn"}
    said = wording.message("Mia", at_lunch, NOW, "UTC", read_later=True)
    assert "Great to meet you at Lunch & Learn!" in said
