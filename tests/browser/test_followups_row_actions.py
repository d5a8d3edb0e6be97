"""Follow-ups, on a phone in one hand (newcomer review): each row has its own Done and
Tomorrow, so five people due are five taps, not five trips into contact pages. The row turns
into a line saying what was done, in place; #flash says it, and focus lands on the line's
Undo (or the line), not at the top of the page; Undo brings the row back."""

from __future__ import annotations

import re

import asyncpg
from playwright.async_api import Page, expect

from tests.browser.axe import axe_violations, describe_violations
from tests.browser.conftest import NewPage
from tests.browser.test_accessibility import MIN_TAP_PX, TAP_TARGETS_JS
from tests.browser.test_button_words_whole import BUTTON_WORDS
from tests.browser.ui import assert_same_document, mark_document, swap_with_mia
from tests.reminders import make_due

STATUS = "SELECT status FROM followups WHERE owner_id = 1"


async def due_list(new_phone_page: NewPage, pool: asyncpg.Pool) -> Page:
    """Dana, with Mia Chen due, on Follow-ups."""
    dana = await swap_with_mia(new_phone_page)
    await make_due(pool)
    await dana.goto("/followups")
    await expect(dana.get_by_role("heading", name="Reach out now (1)")).to_be_visible()
    await dana.wait_for_load_state("load")  # htmx and app.js at work
    await mark_document(dana)
    return dana


async def test_done_in_place_said_focus_on_undo_and_undo_brings_the_row_back(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana = await due_list(new_phone_page, pool)
    await dana.get_by_role("button", name="Done, Mia Chen").tap()
    undo = dana.get_by_role("button", name="Undo, Mia Chen")
    await expect(undo).to_be_focused()
    await expect(undo).to_have_accessible_description("Mia Chen: marked done.")
    await expect(dana.get_by_role("listitem").filter(has=undo)).to_have_text(
        re.compile(r"^\s*Mia Chen: marked done\.\s*Undo\s*$")
    )
    await expect(dana.locator("#flash")).to_have_text("Mia Chen: marked done.")
    await expect(dana.get_by_role("button", name="Done, Mia Chen")).to_have_count(0)
    assert await pool.fetchval(STATUS) == "done"

    await undo.tap()
    done = dana.get_by_role("button", name="Done, Mia Chen")
    await expect(done).to_be_focused()
    await expect(dana.locator("#flash")).to_have_text("Undone: Mia Chen is open again.")
    await expect(dana.get_by_role("listitem").filter(has=done)).to_contain_text("Due now")
    assert await pool.fetchval(STATUS) == "open"
    await expect(dana).to_have_url(re.compile(r"/followups$"))
    await assert_same_document(dana)


async def test_tomorrow_in_place_said_and_focus_on_its_undo(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana = await due_list(new_phone_page, pool)
    await dana.get_by_role("button", name="Tomorrow, Mia Chen").tap()
    line = dana.get_by_role("listitem").filter(has_text="Mia Chen: snoozed until")
    await expect(line).to_have_text(
        re.compile(r"^\s*Mia Chen: snoozed until (tomorrow|this morning) at 09:00\.\s*Undo\s*$")
    )
    await expect(dana.get_by_role("button", name="Undo snooze, Mia Chen")).to_be_focused()
    # "this morning" after midnight, when "Tomorrow" is this morning's 09:00.
    await expect(dana.locator("#flash")).to_have_text(
        re.compile(r"^Mia Chen: snoozed until (tomorrow|this) morning\.$")
    )
    assert await pool.fetchval("SELECT due_at > now() FROM followups WHERE owner_id = 1")
    await assert_same_document(dana)


async def test_the_rows_fit_a_narrow_phone_and_pass_axe(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana = await due_list(new_phone_page, pool)
    for width in (360, 320):
        await dana.set_viewport_size({"width": width, "height": 740})
        assert await dana.evaluate("() => document.documentElement.scrollWidth") <= width
        for name in ("Done, Mia Chen", "Tomorrow, Mia Chen"):
            box = await dana.get_by_role("button", name=name).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
        buttons = await dana.evaluate(BUTTON_WORDS)
        assert {"Done", "Tomorrow"} <= {b["text"] for b in buttons}
        assert [b for b in buttons if b["broken"]] == [], width
        assert await dana.evaluate(TAP_TARGETS_JS, MIN_TAP_PX) == [], width
    violations = await axe_violations(dana)
    assert not violations, describe_violations("follow-ups", violations)
    # And the line Done leaves, with its Undo.
    await dana.get_by_role("button", name="Done, Mia Chen").tap()
    await expect(dana.get_by_role("button", name="Undo, Mia Chen")).to_be_focused()
    assert await dana.evaluate("() => document.documentElement.scrollWidth") <= 320
    assert await dana.evaluate(TAP_TARGETS_JS, MIN_TAP_PX) == []
    violations = await axe_violations(dana)
    assert not violations, describe_violations("follow-ups, a row done", violations)
