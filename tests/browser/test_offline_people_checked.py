"""Kept pages showing people who are not my contacts (yet) do not outlive the other person's
Block or deleted account: Requests (who asked to connect) and an event's people are checked
with my contacts each time a page showing my contacts comes from the network, and a page
showing someone gone is dropped and kept anew without them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import NewPage
from tests.browser.test_offline_contacts_checked import kept_page
from tests.browser.ui import DANA, MIA, make_card_from_home, offline_mark, service_worker_controls
from tests.waiting import eventually

EVENT = "Climate Tech Mixer"


async def dana_and_mia_at_an_event(
    new_phone_page: NewPage, pool: asyncpg.Pool, *, dana_asks: bool
) -> tuple[Page, Page, int]:
    """Dana and Mia, not each other's contacts, are both at an event; Dana asks Mia to
    connect from its list of people (``dana_asks``). Returns both phones and the event's id."""
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    mia = await new_phone_page()
    await make_card_from_home(mia, MIA)
    await service_worker_controls(mia)
    dana_id = await pool.fetchval("SELECT account_id FROM cards WHERE name = $1", DANA.name)
    mia_id = await pool.fetchval("SELECT account_id FROM cards WHERE name = $1", MIA.name)
    now = datetime.now(UTC)
    event_id: int = await pool.fetchval(
        """INSERT INTO events (organizer_id, name, join_code, starts_at, ends_at, time_zone)
           VALUES ($1, $2, 'KPTRQZ', $3, $4, 'UTC') RETURNING id""",
        dana_id,
        EVENT,
        now - timedelta(hours=1),
        now + timedelta(hours=2),
    )
    await pool.executemany(
        "INSERT INTO event_attendees (event_id, account_id) VALUES ($1, $2)",
        [(event_id, dana_id), (event_id, mia_id)],
    )
    if dana_asks:
        await dana.goto(f"/events/{event_id}/people")
        await dana.get_by_role("button", name=f"Request to connect with {MIA.name}").tap()
        await expect(dana.get_by_text("Request sent.", exact=True)).to_be_visible()
    return dana, mia, event_id


async def dana_goes(dana: Page, pool: asyncpg.Pool, event_id: int, how: str) -> None:
    if how == "deletes her account":
        await pool.execute(
            "SELECT delete_account(account_id) FROM cards WHERE name = $1", DANA.name
        )
        return
    await dana.goto(f"/events/{event_id}/people")
    await dana.get_by_text(f"Block {MIA.name}…").tap()
    await dana.get_by_role("button", name=f"Block {MIA.name}").tap()
    await expect(dana.get_by_role("status").filter(has_text="Blocked")).to_be_visible()


@pytest.mark.parametrize("how", ["blocks Mia", "deletes her account"])
@pytest.mark.parametrize("kept", ["Requests", "the event's people"])
async def test_a_kept_page_of_people_not_yet_mine_forgets_whoever_went(
    new_phone_page: NewPage, pool: asyncpg.Pool, kept: str, how: str
) -> None:
    """Mia opens Requests (Dana asked her to connect), or the event's people (Dana listed
    there, no request between them), online: her phone keeps it, with Dana. Dana blocks her or
    deletes her account; Mia opens only her contacts online. At the next venue with no
    network, the kept page shows no Dana."""
    dana, mia, event_id = await dana_and_mia_at_an_event(
        new_phone_page, pool, dana_asks=kept == "Requests"
    )
    if kept == "Requests":
        path, heading = "/requests", "Requests to connect"
    else:
        path, heading = f"/events/{event_id}/people", f"People at {EVENT}"
    await mia.goto(path)
    await expect(mia.get_by_role("heading", level=1, name=heading)).to_be_visible()
    await expect(mia.get_by_role("heading", name=DANA.name)).to_be_visible()

    async def kept_with_dana() -> bool:
        return DANA.name in (await kept_page(mia, path) or "")

    await eventually(kept_with_dana, f"{kept} kept for offline, with Dana")
    await dana_goes(dana, pool, event_id, how)

    await mia.goto("/contacts")  # online, before the venue
    await expect(mia.get_by_role("heading", level=1, name="Contacts")).to_be_visible()

    async def checked() -> bool:
        page = await kept_page(mia, path)
        return page is not None and heading in page and DANA.name not in page

    await eventually(checked, f"{kept} kept anew, without Dana")

    await mia.context.set_offline(True)
    await mia.goto(path)
    await expect(offline_mark(mia)).to_be_visible()
    await expect(mia.get_by_role("heading", level=1, name=heading)).to_be_visible()
    await expect(mia.get_by_text(DANA.name)).to_have_count(0)
