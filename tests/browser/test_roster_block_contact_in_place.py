"""Block in place on an event's list of people, in Chromium, for someone in my contacts or
waiting for my answer too: the row becomes "Blocked." on the same page, and what else the
phone shows of them follows. The Follow-ups tab's number (their follow-up dropped, their
request declined) and the app icon's count change with it; the copies of my contacts kept for
offline forget them (the service worker forgets its copies after a Block sent in place, as
after a Block's page). With no network, the Block says nothing was sent, not "You're offline"
in place of the row."""

from __future__ import annotations

import asyncpg
from playwright.async_api import Page, expect

from tests.browser.conftest import NewPage
from tests.browser.test_badge import PAGE_BADGE_CALLS, PAGE_BADGE_RECORDER
from tests.browser.test_offline_contacts_checked import kept_page
from tests.browser.test_offline_people_checked import EVENT, dana_and_mia_at_an_event
from tests.browser.ui import (
    DANA,
    MIA,
    assert_same_document,
    contact_links,
    mark_document,
    offline_mark,
    service_worker_controls,
    swap_with_mia,
    tab,
)
from tests.reminders import make_due
from tests.waiting import eventually


async def block_in_place(page: Page, name: str) -> None:
    """Blocks ``name`` on the list of people on screen: their row says "Blocked." in place."""
    await page.get_by_role("button", name=f"Block {name}", exact=True).tap()
    row = page.locator("#people-list").get_by_role("listitem").filter(has_text="Blocked.")
    await expect(row).to_be_focused()
    await expect(page.locator("#flash")).to_contain_text("Blocked. You two won't see each other")
    await expect(page.get_by_role("heading", level=2, name=name)).to_have_count(0)
    await assert_same_document(page)


async def test_a_contact_blocked_in_place_leaves_the_tab_the_icon_and_the_kept_copies(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    """Dana, who swapped with Mia and has her follow-up due, keeps Mia's page for offline.
    At her event she blocks Mia from the list of people: first with no network (nothing sent,
    the row still there), then online, in place. The tab and the icon no longer count Mia's
    follow-up; at the next venue with no network, neither her contacts nor Mia's page
    shows Mia."""
    dana = await swap_with_mia(new_phone_page)
    await make_due(pool)
    await dana.context.add_init_script(PAGE_BADGE_RECORDER)
    await dana.goto("/contacts")
    await service_worker_controls(dana)
    await contact_links(dana).filter(has_text=MIA.name).tap()
    await expect(dana.get_by_role("heading", level=1, name=MIA.name)).to_be_visible()
    mia_page = dana.url.split("?")[0]
    mia_path = "/contacts/" + mia_page.rsplit("/", 1)[1]
    await dana.reload()  # kept by the service worker, as any contact's page opened

    async def mia_kept() -> bool:
        return MIA.name in (await kept_page(dana, mia_path) or "")

    await eventually(mia_kept, "Mia's page kept for offline")
    event_id = await pool.fetchval(
        "INSERT INTO events (organizer_id, name, venue, starts_at, ends_at, time_zone,"
        " join_code) SELECT account_id, $2, 'Library', now(), now() + interval '2 hours',"
        " 'UTC', 'BKAAAB' FROM cards WHERE name = $1 RETURNING id",
        DANA.name,
        EVENT,
    )
    await pool.execute(
        "INSERT INTO event_attendees (event_id, account_id, listed)"
        " SELECT $1, account_id, true FROM cards",
        event_id,
    )
    await dana.goto(f"/events/{event_id}/people")
    await expect(tab(dana, "Follow-ups")).to_have_accessible_name("Follow-ups 1 due")
    await dana.wait_for_load_state("load")  # htmx and app.js at work
    assert await dana.evaluate(PAGE_BADGE_CALLS) == [1]
    await mark_document(dana)
    await dana.get_by_text(f"Block {MIA.name}…").tap()

    await dana.context.set_offline(True)
    await dana.get_by_role("button", name=f"Block {MIA.name}", exact=True).tap()
    await expect(dana.get_by_text("You're offline: nothing was sent.")).to_be_visible()
    await expect(dana.get_by_role("heading", level=2, name=MIA.name)).to_be_visible()
    await expect(dana.get_by_role("heading", name="You're offline")).to_have_count(0)
    assert await pool.fetchval("SELECT count(*) FROM blocks") == 0
    await dana.context.set_offline(False)

    await block_in_place(dana, MIA.name)
    await expect(tab(dana, "Follow-ups")).to_have_accessible_name("Follow-ups")
    await expect(tab(dana, "Follow-ups")).to_have_text("Follow-ups")
    await eventually(
        lambda: dana.evaluate(f"() => ({PAGE_BADGE_CALLS})().at(-1) === 0"),
        "the app icon's count cleared",
    )

    await dana.context.set_offline(True)
    await dana.goto("/contacts")
    await expect(offline_mark(dana)).to_be_visible()
    await expect(dana.get_by_role("heading", level=1, name="Contacts")).to_be_visible()
    await expect(contact_links(dana)).to_have_count(0)
    await dana.goto(mia_page)
    await expect(dana.get_by_role("heading", level=1, name="You're offline")).to_be_visible()
    await expect(dana.get_by_text(MIA.name)).to_have_count(0)


async def test_someone_waiting_for_my_answer_blocked_in_place_leaves_the_tab_and_the_icon(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    """Dana asked Mia to connect on the event's list of people: Mia's tab counts her as
    waiting. Mia blocks Dana there, in place: Dana's request is declined with it, and the tab
    and the icon no longer count her."""
    _, mia, event_id = await dana_and_mia_at_an_event(new_phone_page, pool, dana_asks=True)
    await mia.context.add_init_script(PAGE_BADGE_RECORDER)
    await mia.goto(f"/events/{event_id}/people")
    await expect(mia.get_by_text(f"{DANA.name} asked to connect with you.")).to_be_visible()
    await expect(tab(mia, "Follow-ups")).to_have_accessible_name("Follow-ups 1 waiting for you")
    await mia.wait_for_load_state("load")  # htmx and app.js at work
    assert await mia.evaluate(PAGE_BADGE_CALLS) == [1]
    await mark_document(mia)

    await mia.get_by_text(f"Block {DANA.name}…").tap()
    await block_in_place(mia, DANA.name)
    await expect(tab(mia, "Follow-ups")).to_have_accessible_name("Follow-ups")
    await eventually(
        lambda: mia.evaluate(f"() => ({PAGE_BADGE_CALLS})().at(-1) === 0"),
        "the app icon's count cleared",
    )
    # Still right on the next page, which the server counts anew.
    await mia.goto("/followups")
    await expect(tab(mia, "Follow-ups")).to_have_accessible_name("Follow-ups")
