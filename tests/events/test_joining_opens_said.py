"""A join link handed out more than a day before the event turns everyone away: the organizer's
page says from when people can join (as the refusal says it), and the create form says it
before the event is made."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from server.events import joining
from tests.events.test_routes import organizer_with_event
from tests.phone import soup, text_of


def at(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


async def test_the_organizer_is_told_when_an_early_link_starts_to_work(new_phone, pool):
    # At noon UTC: 13:00 or 14:00 in Paris, never in the hour its clocks repeat in autumn
    # (02:30 typed there is read as the first 02:30, an hour before the second).
    starts = (datetime.now(UTC) + timedelta(days=5)).replace(
        hour=12, minute=0, second=0, microsecond=0
    )
    olga, event_id = await organizer_with_event(
        new_phone,
        starts_at=at(starts.astimezone(ZoneInfo("Europe/Paris"))),
        ends_at=at((starts + timedelta(hours=2)).astimezone(ZoneInfo("Europe/Paris"))),
        time_zone="Europe/Paris",
    )
    page = await olga.get(olga.url("event", event_id=event_id))
    opens = (starts - joining.OPENS_BEFORE).astimezone(ZoneInfo("Europe/Paris"))
    when = f"{opens:%a} {opens.day} {opens:%b} at {opens:%H:%M} (Europe/Paris)"
    said = soup(page).select_one("#joining-opens").get_text()
    assert f"People can join from {when}, a day before it starts." in said
    assert "let nobody in" in said

    # What someone with the link is told names the same moment.
    link = soup(page).select_one("#join-link")["value"]
    ana = await new_phone()
    parts = urlsplit(link)
    refused = await ana.get(f"{parts.path}?{parts.query}")
    assert refused.status_code == 403
    assert when in text_of(refused)


async def test_nothing_is_said_once_joining_has_opened(new_phone, pool):
    olga, event_id = await organizer_with_event(new_phone)
    page = await olga.get(olga.url("event", event_id=event_id))
    assert soup(page).select_one("#joining-opens") is None


async def test_the_create_form_says_from_when_people_can_join(new_phone, pool):
    olga, _ = await organizer_with_event(new_phone)
    form = await olga.get(olga.url("event_new"))
    assert "from a day before the event starts" in text_of(form)
