"""What just happened, heard at once by a screen reader on a phone (newcomer review): a status
in a page at load is not read out, and focus stayed on <body>. So focus starts on it: the
notice a redirect lands with ("Swapped!"), the welcome page's "Done!" after leaving one's
details, the outcome of an email link's button. A reload takes a notice away, and focus
with it; and reopening a follow-up done sends focus on to "Mark done", not into a link."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import asyncpg
from playwright.async_api import Page, expect
from starlette.applications import Starlette

from server.mail.links import MailLinks
from server.web import signing
from tests.browser.conftest import NewPage
from tests.browser.ui import (
    DANA,
    MIA,
    leave_details,
    make_card_from_home,
    scan_qr,
    swap_with_mia,
)
from tests.conftest import TEST_SECRET

# What has focus: "BODY" when it is at the top of the page, where nothing is read.
FOCUSED = "() => document.activeElement ? document.activeElement.tagName : null"


def path_of(link: str) -> str:
    """A link of an email, on whichever server the test's browser opens."""
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


async def test_the_swapped_notice_has_focus_once_landed_and_a_reload_drops_it(
    new_phone_page: NewPage,
) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    link = await scan_qr(dana)
    mia = await new_phone_page()
    await make_card_from_home(mia, MIA)
    await mia.goto(link)
    await mia.get_by_role("button", name="Swap details").tap()
    await expect(mia).to_have_url(re.compile(r"/contacts/\d+\?notice=swapped$"))
    notice = mia.get_by_role("status").filter(has_text="Swapped!")
    await expect(notice).to_have_text("Swapped! Dana Lee has your card, and you have theirs.")
    await expect(notice).to_be_focused()

    # Reloaded, the page no longer says it (it already happened), and focus is not kept
    # for a notice that is gone.
    await mia.reload()
    await expect(mia.get_by_role("heading", level=1, name=DANA.name)).to_be_visible()
    await expect(mia.get_by_text("Swapped!")).to_have_count(0)
    assert await mia.evaluate(FOCUSED) == "BODY"


async def test_the_welcome_page_after_leaving_details_has_focus_on_what_happened(
    new_phone_page: NewPage,
) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    link = await scan_qr(dana)
    mia = await new_phone_page()
    await mia.goto(link)
    await leave_details(mia, DANA.name, MIA.name, MIA.email)
    said = mia.get_by_role("status").filter(has_text="has your details")
    await expect(said).to_contain_text(re.compile(r"^(Done|Sent)! Dana Lee has your details"))
    await expect(said).to_be_focused()


async def outcome_focused(page: Page, heading: str, text: str) -> None:
    """The page an email's button leads to: its heading, and focus on what it did."""
    await expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    outcome = page.get_by_role("status").filter(has_text=text)
    await expect(outcome).to_contain_text(text)
    await expect(outcome).to_be_focused()


async def test_an_unsubscribe_links_outcome_has_focus(new_phone_page: NewPage) -> None:
    address = "mia@example.com"
    signature = signing.sign(TEST_SECRET, "mail-unsubscribe", address)
    page = await new_phone_page()  # a mail app's browser: no session
    await page.goto(f"/m/unsubscribe?to={address}&sig={signature}")
    # Asked first: nothing to say yet, and nothing takes focus from the top.
    await expect(page.get_by_role("heading", level=1)).to_have_text("Unsubscribe")
    assert await page.evaluate(FOCUSED) == "BODY"
    await page.get_by_role("button", name="Unsubscribe").tap()
    await outcome_focused(
        page,
        "You are unsubscribed",
        f"Reachout will send no more reminders or updates to {address}.",
    )


async def test_a_mark_done_links_outcome_has_focus(
    new_phone_page: NewPage, pool: asyncpg.Pool, app: Starlette
) -> None:
    dana = await swap_with_mia(new_phone_page)
    row = await pool.fetchrow(
        "SELECT f.id, f.round FROM followups f JOIN cards c ON c.account_id = f.owner_id"
        " WHERE c.name = $1",
        DANA.name,
    )
    assert row is not None
    settings = app.state.settings
    links = MailLinks(app.state.urls, settings.base_url, settings.secret_key)
    await dana.goto(path_of(links.followup(row["id"], row["round"], "done")))
    await dana.get_by_role("button", name="Mark done").tap()
    await outcome_focused(dana, "Done", f"Marked done: you followed up with {MIA.name}.")
    # Opened again (the email's link tapped twice): what it finds is said the same way.
    await dana.goto(path_of(links.followup(row["id"], row["round"], "done")))
    await outcome_focused(
        dana,
        "Already taken care of",
        f"This reminder about {MIA.name} was already done or snoozed.",
    )


async def test_reopening_a_follow_up_done_sends_focus_to_mark_done(
    new_phone_page: NewPage,
) -> None:
    dana = await swap_with_mia(new_phone_page)
    await dana.goto("/contacts")
    await dana.get_by_role("link", name=re.compile(MIA.name)).first.tap()
    followup = dana.locator("#followup")
    await followup.get_by_role("button", name="Mark done", exact=True).tap()
    await expect(followup.get_by_role("button", name="Undo")).to_be_visible()
    # Shown again, done: the one button there opens it again, for tomorrow.
    await dana.reload()
    tomorrow = followup.get_by_role("button", name=re.compile(r"^(Remind me|Follow up) tomorrow$"))
    await tomorrow.tap()
    mark_done = followup.get_by_role("button", name="Mark done", exact=True)
    await expect(mark_done).to_be_focused()
