"""A swap queued offline under a card that the phone then merges into the person's other card
is that card's now: listed on Tap, counted by Sign out's warning, and made once it goes,
rather than kept forever for a card that no longer exists."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.browser.conftest import NewPage
from tests.browser.test_switch_forgets import WAIT_UNTIL, move_code, sign_in_with
from tests.browser.ui import (
    DANA,
    SAM,
    Card,
    connections,
    contacts_once,
    make_card_from_home,
    outbox_list,
    outbox_records,
    service_worker_controls,
    share_link,
)
from tests.waiting import eventually

DANA_AGAIN = Card(name="Dana L.", email="dana.l@example.com", headline="Recruiter")
BEN = Card(name="Ben Ode", email="ben@example.com", headline="Designer")


async def test_a_swap_queued_under_the_card_merged_in_is_listed_counted_and_made(
    new_phone_page: NewPage, pool
) -> None:
    safari = await new_phone_page()
    await make_card_from_home(safari, DANA)
    # The second card Dana made by mistake in the app, where she met Sam.
    app = await new_phone_page()
    await make_card_from_home(app, DANA_AGAIN)
    sam = await new_phone_page()
    await make_card_from_home(sam, SAM)
    await sam.goto(await share_link(app))
    await sam.get_by_role("button", name="Swap details").tap()
    await expect(sam).to_have_url(re.compile(r"/contacts/\d+\?notice=swapped$"))
    ben = await new_phone_page()
    await make_card_from_home(ben, BEN)
    ben_link = await share_link(ben)

    # Offline, the app scans Ben's card: the swap waits on the phone, under its own card
    # (told to wait a while, as a busy minute's 429 does, so it is still waiting below).
    await app.goto("/scan")
    await service_worker_controls(app)
    await app.context.set_offline(True)
    queued = await app.evaluate(
        """(token) => window.ReachoutOutbox.send("scan", { token }, "Card scanned at 10:00")""",
        ben_link.rsplit("/", 1)[1],
    )
    assert queued["status"] == "pending"
    await app.evaluate(WAIT_UNTIL, 4102444800000)
    await app.context.set_offline(False)

    # Back online, the app signs in to Dana's first card and merges its own in.
    await sign_in_with(app, await move_code(safari))
    await expect(
        app.get_by_role("heading", level=1, name="Merge the card this browser had?")
    ).to_be_visible()
    await app.get_by_role("button", name="Merge into my account").tap()
    await expect(app.get_by_role("status").filter(has_text="Merged.")).to_be_visible()
    danas = await app.locator("body").get_attribute("data-signed-in")
    assert danas == str(
        await pool.fetchval("SELECT account_id FROM cards WHERE name = $1", DANA.name)
    )

    # The Tap screen lists it as Dana's, and Sign out says it would be lost.
    await app.goto("/tap")
    await expect(outbox_list(app)).to_be_visible()
    await expect(
        app.get_by_text("Card scanned at 10:00 - Waiting for a connection")
    ).to_be_visible()
    [kept] = await outbox_records(app)
    assert (kept["account"], kept["status"]) == (danas, "pending")
    await app.goto("/settings")
    await app.get_by_role("button", name="Sign out of this device").tap()
    await expect(app.get_by_role("alert").filter(has_text="not reached")).to_have_text(
        "1 swap made on this phone has not reached Reachout yet (no connection). Signing out"
        " deletes it: get online first and it goes by itself, or tap Sign out again to sign"
        " out anyway."
    )
    await expect(app.get_by_role("heading", level=1, name="Settings")).to_be_visible()

    # No longer told to wait: it goes, and Ben is one of Dana's contacts, on both her phones.
    await app.evaluate(WAIT_UNTIL, 0)
    await app.goto("/tap")

    async def made() -> bool:
        return await connections(pool, DANA.name, BEN.name) == 1

    await eventually(made, "the swap queued under the card merged in made as Dana's")
    [sent] = await outbox_records(app)
    assert sent["status"] == "done"
    await contacts_once(app, BEN.name)
    await contacts_once(safari, BEN.name)
