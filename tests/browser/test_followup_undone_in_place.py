"""Undo on a follow-up says so where it was tapped: a line in the Follow-up itself, on screen
by the buttons and in a live region, not only in #flash at the top of a long page, out of
sight of the person who tapped it."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.browser.conftest import NewPage
from tests.browser.ui import MIA, swap_with_mia

OPEN_AGAIN = "Open again."


@pytest.mark.parametrize("tapped", ["Mark done", "No reminder"])
async def test_undone_is_said_in_the_follow_up_on_screen(
    new_phone_page: NewPage, tapped: str
) -> None:
    dana = await swap_with_mia(new_phone_page)
    await dana.goto("/contacts")
    await dana.get_by_role("link", name=re.compile(MIA.name)).first.tap()
    followup = dana.get_by_role("region", name="Follow-up")
    await followup.get_by_role("button", name=tapped, exact=True).tap()
    undo = followup.get_by_role("button", name="Undo")
    await expect(undo).to_be_visible()
    await expect(followup.get_by_text(OPEN_AGAIN)).to_have_count(0)
    await undo.tap()
    mark_done = followup.get_by_role("button", name="Mark done", exact=True)
    await expect(mark_done).to_be_focused()
    # In the Follow-up, seen where Undo was, and a status a screen reader finds there.
    said = followup.get_by_role("status").filter(has_text=OPEN_AGAIN)
    await expect(said).to_have_text(OPEN_AGAIN)
    await expect(said).to_be_visible()
    await expect(said).to_be_in_viewport()
    # Heard at once still, as before, from the page's status line.
    await expect(dana.locator("#flash")).to_have_text("Undone: this follow-up is open again.")
