"""An event's poster is printed days ahead, and its QR code or code lets nobody in before
joining opens: the poster says when that is, as the refusal says it; once open, nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from server.events import joining
from tests.events.test_routes import organizer_with_event
from tests.phone import soup, text_of


def at(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


async def test_a_poster_printed_early_says_when_joining_opens(new_phone, pool):
    # At noon UTC: 13:00 or 14:00 in Paris, never in the hour its clocks repeat in autumn
    # (02:30 typed there is read as the first 02:30, an hour before the second).
    starts = (datetime.now(UTC) + timedelta(days=5)).replace(
        hour=12, minute=0, second=0, microsecond=0
    )
    paris = ZoneInfo("Europe/Paris")
    olga, event_id = await organizer_with_event(
        new_phone,
        starts_at=at(starts.astimezone(paris)),
        ends_at=at((starts + timedelta(hours=2)).astimezone(paris)),
        time_zone="Europe/Paris",
    )
    poster = soup(await olga.get(olga.url("event_poster", event_id=event_id)))
    opens = (starts - joining.OPENS_BEFORE).astimezone(paris)
    when = f"{opens:%a} {opens.day} {opens:%b} at {opens:%H:%M} (Europe/Paris)"
    said = poster.select_one(".poster #joining-opens")
    assert said is not None
    assert said.get_text(" ", strip=True) == f"Joining opens {when}."

    # Someone scanning its QR code before then is refused with the same moment.
    page = soup(await olga.get(olga.url("event", event_id=event_id)))
    link = urlsplit(page.select_one("#join-link")["value"])
    ana = await new_phone()
    refused = await ana.get(f"{link.path}?{link.query}")
    assert refused.status_code == 403
    assert when in text_of(refused)


async def test_a_poster_of_an_open_event_says_nothing_of_opening(new_phone, pool):
    olga, event_id = await organizer_with_event(new_phone)
    poster = soup(await olga.get(olga.url("event_poster", event_id=event_id)))
    assert poster.select_one("#qr svg") is not None
    assert poster.select_one("#joining-opens") is None
    assert "Joining opens" not in poster.get_text()
