"""Undo after "Mark done" or "No reminder", as a screen reader hears it: what happened is
said ("Undone: …", in the page's status line, there from the start), and focus goes on to
"Mark done", not into the sentence that may head the follow-up (review r73)."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.browser.conftest import NewPage
from tests.browser.ui import MIA, swap_with_mia

UNDONE = "Undone: this follow-up is open again."


@pytest.mark.parametrize("tapped", ["Mark done", "No reminder"])
async def test_undo_is_said_and_focus_goes_to_mark_done(
    new_phone_page: NewPage, tapped: str
) -> None:
    dana = await swap_with_mia(new_phone_page)
    await dana.goto("/contacts")
    await dana.get_by_role("link", name=re.compile(MIA.name)).first.tap()
    followup = dana.locator("#followup")
    await followup.get_by_role("button", name=tapped, exact=True).tap()
    undo = followup.get_by_role("button", name="Undo")
    await expect(undo).to_be_visible()
    await undo.tap()
    mark_done = followup.get_by_role("button", name="Mark done", exact=True)
    await expect(mark_done).to_be_focused()
    await expect(dana.locator("#flash").get_by_role("paragraph")).to_have_text(UNDONE)
    await expect(dana.get_by_role("status").filter(has_text="Undone")).to_have_text(UNDONE)
