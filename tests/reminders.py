"""Test helpers for reminders: people who swapped, due follow-ups, subscribed phones, a worker."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from starlette.applications import Starlette

from server.followups import push
from server.followups.notifications import Paths
from server.followups.push_http import PushHttp
from server.followups.worker import Worker
from server.local_services.push_service import BrowserSubscription, LocalPushService
from tests.phone import Phone


async def swapped(
    new_phone: Any, *, dana: dict[str, str] | None = None, mia: dict[str, str] | None = None
) -> tuple[Phone, Phone]:
    """Dana shares her card; Mia, who has one too, swaps with her."""
    dana_phone = await new_phone()
    await dana_phone.make_card(**(dana or {}))
    link = await dana_phone.share_link()
    mia_phone = await new_phone()
    await mia_phone.make_card(**{"name": "Mia Chen", "email": "mia@example.com", **(mia or {})})
    response = await mia_phone.post(link + "/swap")
    assert response.status_code == 303
    return dana_phone, mia_phone


async def subscribe(
    phone: Phone, service: LocalPushService, device: str = "Test phone"
) -> BrowserSubscription:
    """What reminders.js does after the person taps "Turn on reminders"."""
    subscription = service.subscribe()
    response = await phone.client.post(
        phone.url("push_subscribe"),
        json={"subscription": subscription.to_json(), "device": device},
        headers={"sec-fetch-site": "same-origin"},
    )
    assert response.status_code == 201, response.text
    return subscription


async def sharers_with_phones(
    new_phone: Any, service: LocalPushService, count: int
) -> list[BrowserSubscription]:
    """``count`` people who each swapped with someone and subscribed one phone."""
    devices = []
    for i in range(count):
        sharer, _ = await swapped(
            new_phone, mia={"name": f"Person {i}", "email": f"p{i}@example.com"}
        )
        devices.append(await subscribe(sharer, service))
    return devices


async def make_due(pool: Any) -> None:
    """Time passes: every open follow-up is due now."""
    await pool.execute("UPDATE followups SET due_at = now() - interval '1 minute'")


@asynccontextmanager
async def running_worker(
    app: Starlette, service: LocalPushService, **options: Any
) -> AsyncIterator[Worker]:
    async with PushHttp(service.ssl_context(), limit=16) as http:
        settings = app.state.settings
        sender = push.PushSender(app.state.vapid, settings.vapid_subject, http)
        yield Worker(
            pool=options.pop("pool", app.state.pool),
            sql=app.state.sql,
            sender=sender,
            paths=Paths(app, settings.secret_key),
            roster_days=options.pop("roster_days", settings.roster_days),
            **options,
        )


def next_morning(tz: str = "UTC") -> str:
    """How the pages name the day of the next 09:00 reminder: "tomorrow", or "this morning"
    in the small hours (until 05:00 the night belongs to the day before: reminder_day() in
    sql/logic.sql; wording.day_phrase), so that the tests read right whenever they run."""
    return "this morning" if datetime.now(ZoneInfo(tz)).hour < 5 else "tomorrow"


# Zones whose waking hours (09:00 to 22:00) cover every hour of the day between them.
ZONES_ROUND_THE_CLOCK = ("UTC", "Asia/Tokyo", "America/Los_Angeles")


def zone_where_it_is(day: bool) -> str:
    """A time zone where it is now mid-day (10:00 to 20:00), or the middle of the night
    (23:00 to 07:00): what the worker times for a waking hour, whenever the tests run."""
    for tz in (*ZONES_ROUND_THE_CLOCK, "Asia/Kolkata", "Europe/Berlin", "America/New_York"):
        hour = datetime.now(ZoneInfo(tz)).hour
        if (10 <= hour < 20) if day else (hour >= 23 or hour < 7):
            return tz
    raise AssertionError("no zone found for the hour")


async def event_ended(pool: Any) -> None:
    """The event (every event) ended a minute ago, with everyone where it is daytime: its
    digest goes at once (at night it waits for the morning)."""
    await pool.execute(
        "UPDATE events SET starts_at = now() - interval '3 hours',"
        " ends_at = now() - interval '1 minute'"
    )
    # Everyone there joined while it was on (someone joining after the end gets no digest).
    await pool.execute("UPDATE event_attendees SET joined_at = now() - interval '2 hours'")
    await pool.execute("UPDATE accounts SET time_zone = $1", zone_where_it_is(day=True))
