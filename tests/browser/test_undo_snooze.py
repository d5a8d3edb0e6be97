"""Undo after a snooze, as a person hears and uses it: "Tomorrow" tapped by mistake on a
crowded Follow-ups list (or a snooze on the contact page) is said in #flash, focus lands on
an Undo named for what it undoes, and Undo puts the follow-up back as it was, said too; an
Undo overtaken since changes nothing and #flash does not claim it did."""

from __future__ import annotations

import re

import asyncpg
from playwright.async_api import Locator, Page, expect

from tests.browser.conftest import NewPage
from tests.browser.test_followups_row_actions import due_list
from tests.browser.ui import MIA, assert_same_document, mark_document

STATE = "SELECT status, due_at, round, snoozed FROM followups WHERE owner_id = 1"
SNOOZED_UNTIL = r"snoozed until (tomorrow|this morning) at 09:00\."


def flash(page: Page) -> Locator:
    return page.locator("#flash")


async def test_tomorrow_on_a_row_then_undo_said_and_focused(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana = await due_list(new_phone_page, pool)
    before = tuple(await pool.fetchrow(STATE))
    await dana.get_by_role("button", name="Tomorrow, Mia Chen").tap()
    undo = dana.get_by_role("button", name="Undo snooze, Mia Chen")
    await expect(undo).to_be_focused()
    await expect(undo).to_have_accessible_description(re.compile(rf"^Mia Chen: {SNOOZED_UNTIL}$"))
    await expect(dana.get_by_role("listitem").filter(has=undo)).to_have_text(
        re.compile(rf"^\s*Mia Chen: {SNOOZED_UNTIL}\s*Undo\s*$")
    )
    await expect(flash(dana)).to_have_text(
        re.compile(r"^Mia Chen: snoozed until (tomorrow|this) morning\.$")
    )
    assert tuple(await pool.fetchrow(STATE)) != before

    await undo.tap()
    done = dana.get_by_role("button", name="Done, Mia Chen")
    await expect(done).to_be_focused()
    await expect(flash(dana)).to_have_text("Snooze undone: Mia Chen, due now.")
    await expect(dana.get_by_role("listitem").filter(has=done)).to_contain_text("Due now")
    assert tuple(await pool.fetchrow(STATE)) == before
    await assert_same_document(dana)


async def test_an_undo_overtaken_since_changes_nothing_and_says_so(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana = await due_list(new_phone_page, pool)
    await dana.get_by_role("button", name="Tomorrow, Mia Chen").tap()
    undo = dana.get_by_role("button", name="Undo snooze, Mia Chen")
    await expect(undo).to_be_focused()
    # Marked done from the reminder's email meanwhile.
    await pool.execute("UPDATE followups SET status = 'done', done_at = now() WHERE owner_id = 1")
    after = tuple(await pool.fetchrow(STATE))
    await undo.tap()
    line = dana.get_by_role("listitem").filter(has_text="Mia Chen: already done")
    said = r"^\s*Mia Chen: already done, so nothing changed\.\s*$"
    await expect(line).to_have_text(re.compile(said))
    await expect(line).to_be_focused()
    await expect(flash(dana)).to_have_text("")
    assert tuple(await pool.fetchrow(STATE)) == after
    await assert_same_document(dana)


async def test_a_snooze_on_the_contact_page_then_undo_said_and_focused(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana = await due_list(new_phone_page, pool)
    before = tuple(await pool.fetchrow(STATE))
    await dana.get_by_role("link", name=re.compile(MIA.name)).first.tap()
    await expect(dana.get_by_role("heading", level=1, name=MIA.name)).to_be_visible()
    await mark_document(dana)
    followup = dana.locator("#followup")
    await followup.get_by_role("button", name="In 3 days", exact=True).focus()
    await dana.keyboard.press("Enter")
    await expect(flash(dana)).to_have_text("Snoozed for 3 days.")
    undo = followup.get_by_role("button", name="Undo snooze", exact=True)
    await expect(undo).to_be_focused()
    await expect(undo).to_have_accessible_description(re.compile(r"^Snoozed until .* at 09:00\.$"))

    await dana.keyboard.press("Enter")
    await expect(flash(dana)).to_have_text("Snooze undone: due now.")
    await expect(followup.get_by_role("button", name="Mark done", exact=True)).to_be_focused()
    await expect(followup.locator("#followup-undone")).to_have_text("Snooze undone.")
    await expect(followup).to_contain_text("Due now")
    assert tuple(await pool.fetchrow(STATE)) == before
    await assert_same_document(dana)
