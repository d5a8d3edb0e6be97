"""A link in a row's card on an event's people list ("In your contacts", "Decline or block in
Requests") looked like a row of its own: the grey line under it and the 64 px height of a
contact's row link (app.css `.people li a` hit every link in a row). Only a link that is the
row is drawn as one; the lists whose rows are links (Contacts, Follow-ups) keep their look."""

from __future__ import annotations

import asyncpg
from playwright.async_api import Locator, Page, expect

from tests.browser.conftest import NewPage
from tests.browser.test_accessibility import MIN_TAP_PX, TAP_TARGETS_JS
from tests.browser.test_event_story import create_event
from tests.browser.ui import MIA, contact_links, swap_with_mia
from tests.reminders import make_due
from tests.web.test_pages import add_people

SAM = "Sam Asker"


async def style(control: Locator, name: str) -> str:
    value: str = await control.evaluate(f"(e) => getComputedStyle(e).{name}")
    return value


async def looks_like_a_button(link: Locator) -> None:
    """A .btn as everywhere else: its own 2 px border all round, no grey line under it, and
    48 px tall."""
    await expect(link).to_be_visible()
    assert await style(link, "borderBottomWidth") == "2px"
    assert await style(link, "borderBottomColor") == await style(link, "borderTopColor")
    assert await style(link, "minHeight") == "48px"


async def looks_like_a_row(link: Locator) -> None:
    await expect(link).to_be_visible()
    assert await style(link, "borderBottomWidth") == "1px"
    assert await style(link, "minHeight") == "64px"


async def event_with_people(new_phone_page: NewPage, pool: asyncpg.Pool) -> tuple[Page, int]:
    """Dana's event: Mia (in her contacts, and due), and Sam, who asked Dana to connect."""
    dana = await swap_with_mia(new_phone_page)
    await make_due(pool)
    event_id = await create_event(dana)
    (sam,) = await add_people(pool, [SAM])
    mia = await pool.fetchval("SELECT account_id FROM cards WHERE name = $1", MIA.name)
    await pool.executemany(
        "INSERT INTO event_attendees (event_id, account_id) VALUES ($1, $2)",
        [(event_id, mia), (event_id, sam)],
    )
    await pool.execute(
        "INSERT INTO connect_requests (event_id, from_id, to_id)"
        " SELECT $1::bigint, $2::bigint, account_id FROM cards WHERE name = 'Dana Lee'",
        event_id,
        sam,
    )
    return dana, event_id


async def test_links_in_a_roster_row_are_no_rows_and_row_links_still_are(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana, event_id = await event_with_people(new_phone_page, pool)
    await dana.goto(f"/events/{event_id}/people")
    in_contacts = dana.get_by_role("link", name=f"In your contacts: {MIA.name}", exact=True)
    await looks_like_a_button(in_contacts)
    requests = dana.get_by_role("link", name="Decline or block in Requests")
    await expect(requests).to_be_visible()
    assert await style(requests, "borderBottomWidth") == "0px"
    assert await style(requests, "minHeight") == "48px"  # a thumb's height, not a row's
    assert await dana.evaluate(TAP_TARGETS_JS, MIN_TAP_PX) == []

    # The lists whose rows are links are drawn as before.
    await dana.goto("/contacts")
    await looks_like_a_row(contact_links(dana).filter(has_text=MIA.name))
    await dana.goto("/followups")
    row = dana.get_by_role("listitem").filter(has=dana.get_by_role("link", name=MIA.name))
    await expect(row.get_by_role("button", name=f"Done, {MIA.name}")).to_be_visible()
    assert await style(row, "borderBottomWidth") == "1px"  # under the row, its buttons too
    assert await style(row.get_by_role("link", name=MIA.name), "minHeight") == "64px"
