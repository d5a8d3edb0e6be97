"""A form that makes an account carries the phone's time zone (app.js fills it in), so that
"next morning" is the person's own morning. Sent once with a mistake, the form htmx swaps back
in with its error must carry it again: sent empty, the account was made in UTC, and a
reminder promised "tomorrow at 09:00" came at 18:00 in Tokyo."""

from __future__ import annotations

import re

import asyncpg
from playwright.async_api import Page, expect

from tests.browser.conftest import NewPage
from tests.browser.test_event_story import OLGA, create_event, join_form
from tests.browser.ui import DANA, MIA, card_form, make_card_from_home, name_input

ZONE = "Asia/Tokyo"


async def _zone_of(pool: asyncpg.Pool, name: str) -> str | None:
    zone: str | None = await pool.fetchval(
        "SELECT a.time_zone FROM accounts a JOIN cards c ON c.account_id = a.id WHERE c.name = $1",
        name,
    )
    return zone


async def _refused_then_sent(page: Page, send: str) -> None:
    """Send the form with its name left empty, see the error, then fill it in and send."""
    form = page.locator("form", has=page.get_by_role("button", name=send))
    await form.get_by_label("Email", exact=True).fill(MIA.email)
    await form.get_by_role("button", name=send).tap()
    await expect(page.get_by_role("alert").first).to_be_visible()
    # The form swapped in with its error: the same place, the zone filled in again.
    form = page.locator("form", has=page.get_by_role("button", name=send))
    await expect(form.locator('input[name="time_zone"]')).to_have_value(ZONE)
    await name_input(form).fill(MIA.name)
    await form.get_by_role("button", name=send).tap()


async def test_leaving_details_after_an_error_keeps_the_phone_s_zone(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    link = await dana.locator("#share-link").input_value()

    mia = await new_phone_page(timezone_id=ZONE)
    await mia.goto(link)
    await _refused_then_sent(mia, f"Send my details to {DANA.name}")
    await expect(mia).to_have_url(re.compile(r"/welcome/\d+$"))
    assert await _zone_of(pool, MIA.name) == ZONE


async def test_a_first_card_after_an_error_keeps_the_phone_s_zone(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    mia = await new_phone_page(timezone_id=ZONE)
    await mia.goto("/")
    await mia.get_by_role("link", name="Make my card").tap()
    await expect(card_form(mia)).to_be_visible()
    await _refused_then_sent(mia, "Save my card")
    await expect(mia).to_have_url(re.compile(r"/share$"))
    assert await _zone_of(pool, MIA.name) == ZONE


async def test_joining_an_event_after_an_error_keeps_the_phone_s_zone(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    olga = await new_phone_page()
    await make_card_from_home(olga, OLGA)
    event_id = await create_event(olga)
    link = await olga.locator("#join-link").input_value()

    mia = await new_phone_page(timezone_id=ZONE)
    await mia.goto(link)
    await expect(join_form(mia)).to_be_visible()
    await _refused_then_sent(mia, "Join the event")
    await expect(mia).to_have_url(re.compile(rf"/events/{event_id}\?notice=joined$"))
    assert await _zone_of(pool, MIA.name) == ZONE
