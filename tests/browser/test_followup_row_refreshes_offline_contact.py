"""A follow-up changed in place, in Chromium, is changed in the other page the phone keeps for
offline that shows it: Done on a row of Follow-ups is on the contact's kept page too, and
"Mark done" on a contact's page is on the kept Follow-ups list too. At the venue with no
network, neither still shows the follow-up open."""

from __future__ import annotations

import asyncpg
from playwright.async_api import Page, expect

from tests.browser.conftest import NewPage
from tests.browser.test_offline_contacts_checked import kept_page
from tests.browser.ui import (
    MIA,
    contact_links,
    offline_mark,
    service_worker_controls,
    swap_with_mia,
)
from tests.reminders import make_due
from tests.waiting import eventually

DUE = "Reach out now (1)"


async def dana_keeps_mia_and_followups(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> tuple[Page, str]:
    """Dana, Mia's follow-up due, opens Mia's page and Follow-ups online: her phone keeps both
    with the follow-up open. Returns Dana's phone (on Follow-ups) and Mia's page's path."""
    dana = await swap_with_mia(new_phone_page)
    await make_due(pool)
    await dana.goto("/contacts")
    await service_worker_controls(dana)
    await contact_links(dana).filter(has_text=MIA.name).tap()
    await expect(dana.get_by_role("button", name="Mark done")).to_be_visible()
    path = "/contacts/" + dana.url.split("?")[0].rsplit("/", 1)[1]
    await dana.goto(path)  # kept by the service worker, as any contact's page opened
    await dana.goto("/followups")
    await expect(dana.get_by_role("heading", name=DUE)).to_be_visible()

    async def both_kept_open() -> bool:
        contact = await kept_page(dana, path) or ""
        followups = await kept_page(dana, "/followups") or ""
        return "Mark done" in contact and DUE in followups

    await eventually(both_kept_open, "Mia's page and Follow-ups kept, the follow-up open")
    await dana.wait_for_load_state("load")  # htmx and app.js at work
    return dana, path


async def test_done_on_a_row_of_follow_ups_is_on_the_contact_s_kept_page(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana, path = await dana_keeps_mia_and_followups(new_phone_page, pool)
    await dana.get_by_role("button", name=f"Done, {MIA.name}").tap()
    await expect(dana.get_by_role("button", name=f"Undo, {MIA.name}")).to_be_visible()

    async def contact_kept_done() -> bool:
        kept = await kept_page(dana, path)
        return kept is not None and MIA.name in kept and "Mark done" not in kept

    await eventually(contact_kept_done, "Mia's kept page fetched again, the follow-up done")

    await dana.context.set_offline(True)
    await dana.goto(path)
    await expect(offline_mark(dana)).to_be_visible()
    await expect(dana.get_by_role("heading", level=1, name=MIA.name)).to_be_visible()
    followup = dana.locator("#followup")
    await expect(followup.get_by_text("Done", exact=True)).to_be_visible()
    await expect(dana.get_by_role("button", name="Mark done")).to_have_count(0)


async def test_mark_done_on_a_contact_s_page_is_on_the_kept_follow_ups(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana, path = await dana_keeps_mia_and_followups(new_phone_page, pool)
    await dana.goto(path)
    await dana.wait_for_load_state("load")
    await dana.get_by_role("button", name="Mark done").tap()
    await expect(dana.get_by_role("button", name="Undo")).to_be_visible()

    async def followups_kept_done() -> bool:
        kept = await kept_page(dana, "/followups")
        return kept is not None and "Follow-ups" in kept and DUE not in kept

    await eventually(followups_kept_done, "Follow-ups kept again, Mia no longer due")

    await dana.context.set_offline(True)
    await dana.goto("/followups")
    await expect(offline_mark(dana)).to_be_visible()
    await expect(dana.get_by_role("heading", name=DUE)).to_have_count(0)
    await expect(dana.get_by_role("button", name=f"Done, {MIA.name}")).to_have_count(0)
