"""Kept "Sent by you" (on Requests) and an event's matches ("Who can help you") do not outlive
the other person going: checked with my contacts each time a page showing my contacts comes
from the network, as the other kept pages of people are, and a page showing someone gone is
dropped and kept anew without them."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import NewPage
from tests.browser.test_offline_contacts_checked import kept_page
from tests.browser.ui import DANA, MIA, make_card_from_home, offline_mark, service_worker_controls
from tests.waiting import eventually

EVENT = "Fashion Careers Evening"
# Mia looks for what Dana's card says she can help with: Dana is among "People who can help
# you" on Mia's matches.
MIA_LOOKING = replace(MIA, looking_for="Intros to recruiters in fashion")


async def dana_and_mia_at_an_event(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> tuple[Page, Page, int]:
    """Dana and Mia, not each other's contacts, both listed at an event Mia organises (so Dana
    can leave it). Returns both phones and the event's id."""
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    mia = await new_phone_page()
    await make_card_from_home(mia, MIA_LOOKING)
    await service_worker_controls(mia)
    dana_id = await pool.fetchval("SELECT account_id FROM cards WHERE name = $1", DANA.name)
    mia_id = await pool.fetchval("SELECT account_id FROM cards WHERE name = $1", MIA.name)
    now = datetime.now(UTC)
    event_id: int = await pool.fetchval(
        """INSERT INTO events (organizer_id, name, join_code, starts_at, ends_at, time_zone)
           VALUES ($1, $2, 'KPTRQW', $3, $4, 'UTC') RETURNING id""",
        mia_id,
        EVENT,
        now - timedelta(hours=1),
        now + timedelta(hours=2),
    )
    await pool.executemany(
        "INSERT INTO event_attendees (event_id, account_id) VALUES ($1, $2)",
        [(event_id, dana_id), (event_id, mia_id)],
    )
    return dana, mia, event_id


async def mia_asks_dana(mia: Page, event_id: int) -> None:
    await mia.goto(f"/events/{event_id}/people")
    await mia.get_by_role("button", name=f"Request to connect with {DANA.name}").tap()
    await expect(mia.get_by_text("Request sent.", exact=True)).to_be_visible()


async def dana_goes(dana: Page, pool: asyncpg.Pool, event_id: int, how: str) -> None:
    if how == "deletes her account":
        await pool.execute(
            "SELECT delete_account(account_id) FROM cards WHERE name = $1", DANA.name
        )
    elif how == "accepts":
        await dana.goto("/requests")
        await dana.get_by_role("button", name=f"Accept {MIA.name}").tap()
        await expect(dana).to_have_url(re.compile(r"/contacts/\d+\?notice=swapped$"))
    elif how == "leaves the event":
        await dana.goto(f"/events/{event_id}")
        await dana.get_by_text("Leave this event…").tap()
        await dana.get_by_role("button", name="Leave this event").tap()
        await expect(dana).to_have_url(re.compile(r"/events\?notice=left_event$"))
    else:  # blocks Mia
        await dana.goto(f"/events/{event_id}/people")
        await dana.get_by_text(f"Block {MIA.name}…").tap()
        await dana.get_by_role("button", name=f"Block {MIA.name}").tap()
        await expect(dana.get_by_role("status").filter(has_text="Blocked")).to_be_visible()


async def kept_with_dana(mia: Page, path: str, what: str) -> None:
    """Mia's phone keeps ``path`` (open now), with Dana."""

    async def kept() -> bool:
        return DANA.name in (await kept_page(mia, path) or "")

    await eventually(kept, f"{what} kept for offline, with Dana")


async def offline_without_dana(mia: Page, path: str, heading: str, what: str) -> None:
    """Mia opens only her contacts online: her phone keeps ``path`` anew without Dana, and
    shows it so with no network."""
    await mia.goto("/contacts")  # online, before the venue
    await expect(mia.get_by_role("heading", level=1, name="Contacts")).to_be_visible()

    async def checked() -> bool:
        page = await kept_page(mia, path)
        return page is not None and heading in page and DANA.name not in page

    await eventually(checked, f"{what} kept anew, without Dana")

    await mia.context.set_offline(True)
    await mia.goto(path)
    await expect(offline_mark(mia)).to_be_visible()
    await expect(mia.get_by_role("heading", level=1, name=heading)).to_be_visible()
    await expect(mia.get_by_text(DANA.name)).to_have_count(0)


@pytest.mark.parametrize("how", ["deletes her account", "accepts"])
async def test_kept_sent_by_you_forgets_a_request_no_longer_listed(
    new_phone_page: NewPage, pool: asyncpg.Pool, how: str
) -> None:
    """Mia asks Dana to connect and opens Requests online: her phone keeps it, Dana under "Sent
    by you". Dana deletes her account, or accepts (she is Mia's contact now, no request);
    Mia opens only her contacts online. At the venue with no network, her kept Requests show
    no Dana."""
    dana, mia, event_id = await dana_and_mia_at_an_event(new_phone_page, pool)
    await mia_asks_dana(mia, event_id)
    await mia.goto("/requests")
    await expect(mia.get_by_role("heading", name="Sent by you")).to_be_visible()
    await expect(mia.get_by_text(DANA.name)).to_be_visible()
    await kept_with_dana(mia, "/requests", "Requests")
    await dana_goes(dana, pool, event_id, how)
    await offline_without_dana(mia, "/requests", "Requests to connect", "Requests")


@pytest.mark.parametrize(
    ("row", "how"),
    [
        ("Request sent.", "blocks Mia"),
        ("Request sent.", "leaves the event"),
        ("Request to connect", "deletes her account"),
    ],
)
async def test_kept_matches_forget_whoever_went(
    new_phone_page: NewPage, pool: asyncpg.Pool, row: str, how: str
) -> None:
    """Mia opens her matches at the event online (Dana among "People who can help you", her
    row offering "Request to connect", or, once Mia asked, saying "Request sent." with no
    form): her phone keeps them. Dana blocks her, leaves the event or deletes her account;
    Mia opens only her contacts online. At the venue with no network, the kept matches show
    no Dana."""
    dana, mia, event_id = await dana_and_mia_at_an_event(new_phone_page, pool)
    if row == "Request sent.":
        await mia_asks_dana(mia, event_id)
    path, heading = f"/events/{event_id}/matches", f"Who can help you at {EVENT}"
    await mia.goto(path)
    await expect(mia.get_by_role("heading", level=1, name=heading)).to_be_visible()
    await expect(mia.get_by_role("heading", name=DANA.name)).to_be_visible()
    if row == "Request sent.":
        # Listed, said plainly: only the row just tapped is a status.
        await expect(mia.get_by_text("Request sent.", exact=True)).to_be_visible()
    await kept_with_dana(mia, path, "Matches")
    await dana_goes(dana, pool, event_id, how)
    await offline_without_dana(mia, path, heading, "Matches")
