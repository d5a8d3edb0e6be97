"""What was typed on several lines (an event's agenda, what someone is looking for) is shown
on them, not run together on one line."""

from __future__ import annotations

from dataclasses import replace

from playwright.async_api import expect

from tests.browser.conftest import NewPage
from tests.browser.ui import DANA, make_card_from_home

AGENDA = "Agenda:\n12:00 lunch\n12:30 talk by Ana"
LOOKING_FOR = "Online marketers\nwho know fashion"


async def test_line_breaks_typed_are_shown(new_phone_page: NewPage) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, replace(DANA, looking_for=LOOKING_FOR))
    await dana.goto("/card")
    looking_for = dana.locator(".give-get dd").first
    await expect(looking_for).to_be_visible()
    assert await looking_for.inner_text() == LOOKING_FOR

    await dana.goto("/events/new")
    await dana.get_by_label("Event name").fill("Lunch & Learn")
    await dana.get_by_label("Starts").fill("2026-12-07T12:00")
    await dana.get_by_label("Ends").fill("2026-12-07T14:00")
    await dana.get_by_label("Time zone").fill("Europe/London")
    await dana.get_by_label("Description").fill(AGENDA)
    await dana.get_by_role("button", name="Create event").tap()
    description = dana.get_by_text("Agenda:")
    await expect(description).to_be_visible()
    assert await description.inner_text() == AGENDA
