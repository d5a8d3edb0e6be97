"""An event's people (or matches) kept for offline, once its list has closed (``ROSTER_DAYS``
after the end): the phone keeps the server's own answer in its place, so with no network it
says the list has closed, as it would online, not "You're offline" as if it had never kept
the page; and the people on it are not kept past the closing."""

from __future__ import annotations

import asyncpg
import pytest
from playwright.async_api import expect

from tests.browser.conftest import NewPage
from tests.browser.test_offline_contacts_checked import kept_page
from tests.browser.test_offline_sent_and_matches_checked import (
    EVENT,
    dana_and_mia_at_an_event,
    kept_with_dana,
)
from tests.browser.ui import DANA, offline_mark
from tests.waiting import eventually

CLOSED = "The list of people has closed"


@pytest.mark.parametrize(
    ("kept", "how"),
    [
        ("people", "Mia opens her contacts"),
        ("people", "Mia opens the list"),
        ("matches", "Mia opens her contacts"),
    ],
)
async def test_a_kept_list_that_closed_says_so_offline(
    new_phone_page: NewPage, pool: asyncpg.Pool, kept: str, how: str
) -> None:
    """Mia keeps the event's people (or her matches there) with Dana. The list closes; Mia is
    online once more (her contacts, or the list itself, which says it has closed). At the next
    venue with no network, the page says the list has closed, under the Offline mark, and
    shows no Dana."""
    _dana, mia, event_id = await dana_and_mia_at_an_event(new_phone_page, pool)
    path = f"/events/{event_id}/{kept}"
    heading = f"People at {EVENT}" if kept == "people" else f"Who can help you at {EVENT}"
    await mia.goto(path)
    await expect(mia.get_by_role("heading", level=1, name=heading)).to_be_visible()
    await kept_with_dana(mia, path, kept)

    await pool.execute(
        "UPDATE events SET starts_at = now() - interval '32 days',"
        " ends_at = now() - interval '31 days' WHERE id = $1",
        event_id,
    )
    if how == "Mia opens the list":
        await mia.goto(path)
    else:
        await mia.goto("/contacts")
        await expect(mia.get_by_role("heading", level=1, name="Contacts")).to_be_visible()

    async def kept_closed() -> bool:
        page = await kept_page(mia, path)
        return page is not None and CLOSED in page and DANA.name not in page

    await eventually(kept_closed, f"the {kept} page kept as closed")

    await mia.context.set_offline(True)
    await mia.goto(path)
    await expect(offline_mark(mia)).to_be_visible()
    await expect(mia.get_by_role("heading", level=1, name=CLOSED)).to_be_visible()
    await expect(
        mia.get_by_text("The people you swapped with there stay in your contacts.")
    ).to_be_visible()
    await expect(mia.get_by_text(DANA.name)).to_have_count(0)
