"""A swap sent from a Tap screen left open while this phone was signed out from another
device is kept, saying why, not dropped as "Not swapped: make your card"; and the service
worker asks which accounts were merged once per few minutes, not at every flush."""

from __future__ import annotations

import asyncio

import asyncpg
from playwright.async_api import Page, expect

from tests.browser.conftest import NewPage
from tests.browser.ui import (
    DANA,
    SAM,
    make_card_from_home,
    outbox_list,
    outbox_records,
    service_worker_controls,
    share_link,
)
from tests.limit_counts import hits
from tests.waiting import eventually

KEPT_WORDS = (
    "Signed out on this phone, so not sent. Signing in again clears this phone, this swap"
    " with it: swap again once signed in."
)


async def scan_sent_signed_out(
    new_phone_page: NewPage, pool: asyncpg.Pool, page: str
) -> tuple[Page, str]:
    """Dana, with ``page`` open on her phone when her laptop signed every other browser out,
    scans Sam's card: what the outbox answered is checked, her phone and account returned."""
    sam = await new_phone_page()
    await make_card_from_home(sam, SAM)
    sams = await share_link(sam)
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    await dana.goto(page)
    await service_worker_controls(dana)
    danas = await dana.locator("body").get_attribute("data-signed-in")
    assert danas is not None
    await pool.execute("UPDATE sessions SET revoked_at = now() WHERE account_id = $1", int(danas))
    sent = await dana.evaluate(
        """(token) => window.ReachoutOutbox.send("scan", { token }, "Card scanned at 10:00")""",
        sams.rsplit("/", 1)[1],
    )
    assert sent["status"] == "pending"
    return dana, danas


async def test_a_swap_sent_after_being_signed_out_elsewhere_is_kept_saying_why(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    # "Sign out every other browser" on her laptop, the Tap screen still open on the phone.
    dana, danas = await scan_sent_signed_out(new_phone_page, pool, "/tap")
    await expect(outbox_list(dana)).to_be_visible()
    await expect(dana.get_by_text("Card scanned at 10:00 - " + KEPT_WORDS)).to_be_visible()
    await expect(dana.get_by_text("Not swapped")).to_have_count(0)
    [kept] = await outbox_records(dana)
    assert (kept["status"], kept["account"]) == ("pending", danas)


async def test_the_worker_asks_about_merged_accounts_once_for_a_while(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    await dana.goto("/settings")
    await service_worker_controls(dana)
    # A swap kept for another card this phone was signed in to (kept apart, never merged).
    await dana.evaluate(
        """async () => {
          const db = await new Promise((ok) => {
            const o = indexedDB.open("reachout", 1);
            o.onupgradeneeded = () => o.result.createObjectStore("outbox", { keyPath: "key" });
            o.onsuccess = () => ok(o.result);
          });
          await new Promise((ok) => {
            const tx = db.transaction("outbox", "readwrite");
            tx.objectStore("outbox").put({
              key: crypto.randomUUID(), kind: "scan", payload: { token: "x" }, made_at: Date.now(),
              status: "pending", message: "", url: "", label: "Card scanned", from: "/tap",
              account: "987654",
            });
            tx.oncomplete = ok;
          });
          db.close();
        }"""
    )
    # Settings leaves sending to the worker: each page opened asks it to flush (app.js).
    for _ in range(4):
        await dana.goto("/settings")
        await service_worker_controls(dana)
        await asyncio.sleep(0.5)
    await eventually(
        lambda: hits(pool, bucket="account-merged-look-ups"), "the worker asked about merges"
    )
    await asyncio.sleep(1)
    assert await hits(pool, bucket="account-merged-look-ups") == 1
    [kept] = await outbox_records(dana)
    assert (kept["status"], kept["account"]) == ("pending", "987654")


async def test_sign_out_in_a_settings_tab_left_open_after_being_signed_out_elsewhere(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    """Settings was open on the phone when her laptop signed every other browser out: Sign
    out says what it would delete, then signs out; never "Sign in and try again"."""
    dana, _ = await scan_sent_signed_out(new_phone_page, pool, "/settings")
    sign_out = dana.get_by_role("button", name="Sign out of this device")
    await sign_out.tap()
    await expect(dana.get_by_role("alert").filter(has_text="not sent")).to_have_text(
        "1 swap made on this phone was not sent: this phone was signed out. Signing out or in"
        " again deletes it: note who it was with, to swap again once signed in, or tap Sign out"
        " again to sign out anyway."
    )
    await sign_out.tap()
    await expect(dana.get_by_role("heading", level=1, name="You are signed out")).to_be_visible()
    await expect(dana.get_by_text("Sign in and try again")).to_have_count(0)
    assert await outbox_records(dana) == []
