"""A contact's page kept for offline goes, or is kept anew, once its person takes back what
they shared with me: my phone checks the pages it keeps each time my contacts list comes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from playwright.async_api import Locator, Page, expect

from server.web import pages
from tests.browser.conftest import NewPage
from tests.browser.ui import (
    DANA,
    MIA,
    contact_links,
    make_card_from_home,
    offline_mark,
    scan_qr,
    service_worker_controls,
)
from tests.waiting import eventually

SAM = "Sam Roe"
SAM_EMAIL = "sam@example.com"

# The copy of a page (by path) the service worker keeps, as text; null when none is kept.
KEPT_PAGE = """async (path) => {
  const kept = await caches.match(location.origin + path,
                                  { cacheName: "reachout-pages", ignoreVary: true });
  return kept ? await kept.text() : null;
}"""


def email_link(page: Page, address: str) -> Locator:
    return page.get_by_role("link", name=f"Email {address}")


def call_link(page: Page) -> Locator:
    return page.get_by_role("link", name=re.compile(r"^Call "))


async def kept_page(page: Page, path: str) -> str | None:
    kept: str | None = await page.evaluate(KEPT_PAGE, path)
    return kept


async def mia_keeps_danas_page(new_phone_page: NewPage) -> tuple[Page, Page, str]:
    """Mia swaps on Dana's link and opens Dana's page online: her phone keeps it, with Dana's
    email and phone. Returns both phones and the page's path."""
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    link = await scan_qr(dana)
    mia = await new_phone_page()
    await make_card_from_home(mia, MIA)
    await mia.goto(link)
    await mia.get_by_role("button", name="Swap details").tap()
    await expect(mia).to_have_url(re.compile(r"/contacts/\d+\?notice=swapped$"))
    await service_worker_controls(mia)
    path = re.sub(r"^https?://[^/]+|\?.*$", "", mia.url)
    await mia.goto(path)
    await expect(email_link(mia, DANA.email)).to_be_visible()
    await expect(call_link(mia)).to_be_visible()

    async def kept_with_email() -> bool:
        return DANA.email in (await kept_page(mia, path) or "")

    await eventually(kept_with_email, "Dana's page kept for offline, with her email")
    return dana, mia, path


async def dana_opens_mias_page(dana: Page) -> None:
    await dana.goto("/contacts")
    await contact_links(dana).filter(has_text=MIA.name).tap()
    await expect(dana.get_by_role("heading", level=1, name=MIA.name)).to_be_visible()
    await dana.wait_for_load_state("load")  # htmx at work before a choice is made


async def dana_takes_back(dana: Page, pool: asyncpg.Pool, how: str) -> None:
    if how == "deletes her account":
        await pool.execute(
            "SELECT delete_account(account_id) FROM cards WHERE name = $1", DANA.name
        )
        return
    await dana_opens_mias_page(dana)
    if how == "removes Mia":
        await dana.get_by_role("button", name=f"Remove {MIA.name}").tap()
        await expect(
            dana.get_by_role("status").filter(has_text=f"Removed {MIA.name}")
        ).to_be_visible()
    elif how == "blocks Mia":
        await dana.get_by_text(f"Block {MIA.name}…").tap()
        await dana.get_by_role("button", name=f"Block {MIA.name}").tap()
        await expect(dana.get_by_role("status").filter(has_text="Blocked.")).to_be_visible()
    else:
        await dana.get_by_label("Name and headline only").check()
        await expect(
            dana.get_by_role("status").filter(has_text="now sees only your name and headline")
        ).to_be_visible()


@pytest.mark.parametrize(
    "how", ["removes Mia", "blocks Mia", "deletes her account", "shows Mia less"]
)
async def test_a_page_kept_offline_goes_once_its_person_takes_back_their_card(
    new_phone_page: NewPage, pool: asyncpg.Pool, how: str
) -> None:
    """Dana removes Mia, blocks her, deletes her account, or lets Mia see only her name and
    headline. Mia never opens Dana's page again online, only her contacts: at the next venue
    with no network, Dana's page on Mia's phone shows no email or phone of Dana's."""
    dana, mia, path = await mia_keeps_danas_page(new_phone_page)
    await dana_takes_back(dana, pool, how)

    await mia.goto("/contacts")  # online, before the venue
    await expect(mia.get_by_role("heading", level=1, name="Contacts")).to_be_visible()
    still_shown = how == "shows Mia less"

    async def checked() -> bool:
        kept = await kept_page(mia, path)
        if still_shown:  # kept anew, as Dana shows it to Mia now
            return kept is not None and DANA.headline in kept and DANA.email not in kept
        return kept is None

    await eventually(checked, "Dana's page kept for offline to be checked against the list")

    await mia.context.set_offline(True)
    await mia.goto(path)
    await expect(offline_mark(mia)).to_be_visible()
    if still_shown:
        await expect(mia.get_by_role("heading", level=1, name=DANA.name)).to_be_visible()
        await expect(mia.get_by_text(DANA.headline)).to_be_visible()
    else:
        await expect(mia.get_by_role("heading", level=1, name="You're offline")).to_be_visible()
        await expect(mia.get_by_text(DANA.name)).to_have_count(0)
    await expect(email_link(mia, DANA.email)).to_have_count(0)
    await expect(call_link(mia)).to_have_count(0)


async def test_a_contact_past_the_first_page_of_the_list_is_not_taken_for_gone(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    """Mia's list shows her newest fifty first; Dana and Sam, met a month ago, are further
    down. Opening the list online keeps Dana's page as it was (nothing changed), and Sam's,
    who now shows Mia only his name and headline, is kept as he shows it now."""
    _, mia, dana_path = await mia_keeps_danas_page(new_phone_page)
    mia_id = await pool.fetchval("SELECT account_id FROM cards WHERE name = $1", MIA.name)
    newer = await pool.fetch(
        "WITH made AS (INSERT INTO accounts (time_zone) SELECT 'UTC' FROM generate_series(1, $1)"
        " RETURNING id) SELECT id FROM made ORDER BY id",
        pages.PAGE_SIZE + 1,
    )
    sam_id, newer = newer[0]["id"], newer[1:]
    await pool.executemany(
        "INSERT INTO cards (account_id, name, headline, email) VALUES ($1, $2, $3, $4)",
        [(sam_id, SAM, "Founder, robotics", SAM_EMAIL)]
        + [(row["id"], f"Person {n:03}", "", "") for n, row in enumerate(newer)],
    )
    now = datetime.now(UTC)
    await pool.executemany(
        "INSERT INTO contacts (owner_id, contact_id, met_at) VALUES ($1, $2, $3)",
        [(mia_id, sam_id, now - timedelta(days=31)), (sam_id, mia_id, now - timedelta(days=31))]
        + [(mia_id, row["id"], now - timedelta(minutes=n)) for n, row in enumerate(newer)],
    )
    await pool.execute(
        "UPDATE contacts SET met_at = $2"
        " WHERE owner_id = $1 AND contact_id = (SELECT account_id FROM cards WHERE name = $3)",
        mia_id,
        now - timedelta(days=30),
        DANA.name,
    )
    sam_row = await pool.fetchval(
        "SELECT id FROM contacts WHERE owner_id = $1 AND contact_id = $2", mia_id, sam_id
    )
    sam_path = f"/contacts/{sam_row}"
    await mia.goto(sam_path)
    await expect(email_link(mia, SAM_EMAIL)).to_be_visible()

    async def sam_kept() -> bool:
        return SAM_EMAIL in (await kept_page(mia, sam_path) or "")

    await eventually(sam_kept, "Sam's page kept for offline, with his email")
    # Sam lets Mia see only his name and headline (as his page's choice saves it).
    await pool.execute(
        "UPDATE contacts SET sharing = 'basics' WHERE owner_id = $1 AND contact_id = $2",
        sam_id,
        mia_id,
    )

    await mia.goto("/contacts")
    await expect(contact_links(mia).filter(has_text="Person 000")).to_be_visible()
    await expect(contact_links(mia).filter(has_text=DANA.name)).to_have_count(0)
    await expect(contact_links(mia).filter(has_text=SAM)).to_have_count(0)

    async def sam_checked() -> bool:
        kept = await kept_page(mia, sam_path)
        return kept is not None and SAM in kept and SAM_EMAIL not in kept

    await eventually(sam_checked, "Sam's page kept anew, as he shows it to Mia now")
    assert DANA.email in (await kept_page(mia, dana_path) or ""), "Dana's page was dropped"

    await mia.context.set_offline(True)
    await mia.goto(dana_path)
    await expect(offline_mark(mia)).to_be_visible()
    await expect(email_link(mia, DANA.email)).to_be_visible()
    await mia.goto(sam_path)
    await expect(mia.get_by_role("heading", level=1, name=SAM)).to_be_visible()
    await expect(email_link(mia, SAM_EMAIL)).to_have_count(0)


async def test_the_check_answers_only_for_my_contacts_and_refuses_what_is_no_list(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    _, mia, path = await mia_keeps_danas_page(new_phone_page)
    mine = path.rsplit("/", 1)[1]
    danas = await pool.fetchval(
        "SELECT id FROM contacts WHERE owner_id = (SELECT account_id FROM cards WHERE name = $1)",
        DANA.name,
    )
    answer = await mia.request.get(f"/contacts/kept?ids={mine},{danas}")
    assert answer.status == 200
    assert list((await answer.json())["kept"]) == [mine]  # Dana's own row is not Mia's
    for ids in ("abc", "1,,2", ",".join(["1"] * 101), "9" * 30):
        refused = await mia.request.get(f"/contacts/kept?ids={ids}")
        assert refused.status == 400, ids
        assert "separated by commas" in await refused.text()
    stranger = await new_phone_page()
    assert (await stranger.request.get(f"/contacts/kept?ids={mine}")).status == 404
