"""The digest after an event, pushed when everyone met there is followed up already ("All
followed up. The list of people stays open for 30 days."): tapped, it opens the event's
people, as when nobody was met, not the event's follow-ups, which would say "Nobody from
Lunch to follow up with right now". With people to follow up, it opens those. Either page is
marked for the account it was pushed to (``from=push``, the signed ``for``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from server.followups.notifications import Paths, notification
from server.mail import links


def _digest(met: int, waiting: int) -> dict[str, Any]:
    return {
        "id": 2,
        "request_id": None,
        "digest_event_id": 3,
        "digest_account_id": 7,
        "digest_event_name": "Lunch",
        "digest_met": met,
        "digest_waiting": waiting,
    }


@pytest.mark.parametrize(
    ("met", "waiting", "body", "page", "event"),
    [
        (2, 0, "All followed up. The list of people stays open for 30 days.", "people", None),
        (2, 1, "1 person to follow up.", "followups", ["3"]),
        (0, 0, "The list of people stays open for 30 days: find them and ask", "people", None),
    ],
)
async def test_the_digest_opens_a_list_with_someone_in_it(app, met, waiting, body, page, event):
    secret = app.state.settings.secret_key
    pushed = notification(_digest(met, waiting), paths=Paths(app, secret), now=datetime.now(UTC))
    assert pushed["body"].startswith(body)
    url = urlsplit(pushed["url"])
    wanted = {
        "people": app.state.urls.path("event_people", event_id=3),
        "followups": app.state.urls.path("followups"),
    }
    assert url.path == wanted[page]
    query = parse_qs(url.query)
    assert query.get("event") == event
    assert query["from"] == ["push"]
    assert query["for"] == [links.for_mark(secret, 7)]
