"""Roster search as you type, in a real browser: each answer said in one status line that
stays (a live region replaced is not read out), outside the list htmx swaps."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import NewPage
from tests.browser.test_event_story import OLGA, create_event, join_with_a_card
from tests.browser.ui import MIA, make_card_from_home


async def test_each_roster_search_answer_is_said_in_a_status_line(new_phone_page: NewPage) -> None:
    olga = await new_phone_page()
    await make_card_from_home(olga, OLGA)
    event_id = await create_event(olga)
    link = await olga.locator("#join-link").input_value()
    mia = await new_phone_page()
    await make_card_from_home(mia, MIA)
    await join_with_a_card(mia, link)

    await olga.goto(f"/events/{event_id}/people")
    said = olga.locator("#people-count[role=status]")
    await expect(said).to_have_text("")
    await said.evaluate("(line) => { line.dataset.kept = 'yes'; }")
    search = olga.get_by_label("Search names, companies, and what people look for or offer")
    await search.fill(MIA.name.split()[0])
    await expect(said).to_have_text("1 person")
    await expect(olga.locator("#people-list .name")).to_have_text([MIA.name])
    await search.fill("zzz")
    await expect(said).to_have_text("No matches.")
    await expect(olga.locator("#people-list")).to_contain_text("Nobody here matches “zzz”.")
    await expect(olga.locator("#people-count")).to_have_count(1)
    await expect(said).to_have_attribute("data-kept", "yes")
