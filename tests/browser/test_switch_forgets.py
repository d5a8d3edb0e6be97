"""Another account signed in on a phone that was never signed out: nothing of the last one's
is shown offline (its kept pages, its QR, its follow-ups), and the swaps it queued offline
are neither listed nor made as the new account, but kept for it."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from tests.browser.conftest import NewPage
from tests.browser.ui import (
    DANA,
    MIA,
    SAM,
    Card,
    connections,
    make_card_from_home,
    outbox_list,
    outbox_records,
    service_worker_controls,
    share_link,
    swap_with_mia,
)
from tests.waiting import eventually

BEN = Card(name="Ben Ode", email="ben@example.com", headline="Recruiter")

# Whose each kept copy of a page is, in every cache (the account it was kept for).
WHOSE_KEPT = """async (path) => {
  const out = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const r of await cache.keys()) {
      if (new URL(r.url).pathname !== path) continue;
      out.push((await cache.match(r)).headers.get("x-reachout-account"));
    }
  }
  return out;
}"""

# The waiting swaps told to wait (as a busy minute's 429 does), or not any more.
WAIT_UNTIL = """async (at) => {
  const db = await new Promise((ok) => {
    const o = indexedDB.open("reachout");
    o.onsuccess = () => ok(o.result);
  });
  const all = await new Promise((ok) => {
    const g = db.transaction("outbox").objectStore("outbox").getAll();
    g.onsuccess = () => ok(g.result);
  });
  await new Promise((ok) => {
    const tx = db.transaction("outbox", "readwrite");
    all.forEach((r) => { r.retry_at = at; tx.objectStore("outbox").put(r); });
    tx.oncomplete = ok;
  });
  db.close();
}"""


async def move_code(page: Page) -> str:
    """The code ``page``'s account shows to sign another phone in to it."""
    await page.goto("/move")
    await page.get_by_role("button", name="Show a code").tap()
    shown = page.get_by_role("img", name=re.compile(r"^Code: "))
    await expect(shown).to_have_text(re.compile(r"^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$"))
    return (await shown.inner_text()).strip().replace("-", "")


async def sign_in_with(page: Page, code: str) -> None:
    await page.goto(f"/move/enter/{code}")
    await expect(page.get_by_label("Code from your other phone")).to_have_value(code)
    await page.get_by_role("button", name="Sign in here").tap()
    await expect(page).not_to_have_url(re.compile(r"/move/enter"))


async def test_the_last_account_s_pages_are_not_shown_offline_to_the_next(
    new_phone_page: NewPage,
) -> None:
    dana = await swap_with_mia(new_phone_page)
    await dana.goto("/share")
    await service_worker_controls(dana)
    for path in ("/followups", "/contacts", "/share"):
        await dana.goto(path)
    await expect(dana.get_by_role("heading", level=1, name=DANA.name)).to_be_visible()

    # Sam shows a code on his phone and types it on Dana's, never signed out.
    sam = await new_phone_page()
    await make_card_from_home(sam, SAM)
    await sign_in_with(dana, await move_code(sam))
    await dana.get_by_role("button", name="Keep them apart").tap()
    await expect(dana).to_have_url(re.compile(r"/contacts\?notice=kept_apart"))
    sams = await signed_in(sam)
    assert await signed_in(dana) == sams

    await dana.context.set_offline(True)
    for path in ("/share", "/followups", "/contacts"):
        await dana.goto(path)
        main = dana.locator("main")
        await expect(main).to_be_visible()
        # Not Dana's QR, nor her contact Mia with her follow-ups and notes.
        await expect(main).not_to_contain_text(DANA.name)
        await expect(main).not_to_contain_text(MIA.name)
        # Whatever is shown (Sam's page, or "You're offline") names no account but Sam's.
        # (The offline page too: it was kept with the cookie of whoever installed the app.)
        assert await signed_in(dana) in (None, sams)
    await dana.context.set_offline(False)
    # Sam's own My QR may be kept (a switch keeps his pages to swap with): none of Dana's.
    assert await dana.evaluate(WHOSE_KEPT, "/share") in ([], [sams])


async def signed_in(page: Page) -> str | None:
    """The account the page on screen is signed in to (<body data-signed-in>)."""
    return await page.locator("body").get_attribute("data-signed-in")


async def test_swaps_queued_as_one_account_are_kept_for_it_not_made_as_the_next(
    new_phone_page: NewPage, pool
) -> None:
    dana = await swap_with_mia(new_phone_page)
    await dana.goto("/share")
    await service_worker_controls(dana)
    # Dana's laptop, signed in to her card too: she signs her phone back in from it later.
    laptop = await new_phone_page()
    await sign_in_with(laptop, await move_code(dana))
    ben = await new_phone_page()
    await make_card_from_home(ben, BEN)
    ben_link = await share_link(ben)

    # Offline, Dana scans Ben's card: the swap waits on her phone (told to wait a minute).
    await dana.goto("/scan")
    await dana.context.set_offline(True)
    queued = await dana.evaluate(
        """(token) => window.ReachoutOutbox.send("scan", { token }, "Card scanned at 10:00")""",
        ben_link.rsplit("/", 1)[1],
    )
    assert queued["status"] == "pending"
    await dana.evaluate(WAIT_UNTIL, 4102444800000)
    await dana.context.set_offline(False)

    # Sam signs in on Dana's phone; the swap is due now, and the Tap screen sends what waits.
    sam = await new_phone_page()
    await make_card_from_home(sam, SAM)
    await sign_in_with(dana, await move_code(sam))
    await dana.get_by_role("button", name="Keep them apart").tap()
    await expect(dana).to_have_url(re.compile(r"/contacts\?notice=kept_apart"))
    await dana.evaluate(WAIT_UNTIL, 0)
    await dana.goto("/tap")
    await dana.evaluate("() => window.ReachoutOutbox.flush()")
    # Sam's Tap screen lists nothing of Dana's.
    await expect(outbox_list(dana)).to_be_hidden()
    await expect(dana.get_by_text("Card scanned at 10:00")).to_have_count(0)
    assert await connections(pool, SAM.name, BEN.name) == 0
    assert await connections(pool, BEN.name, SAM.name) == 0
    [kept] = await outbox_records(dana)
    assert kept["status"] == "pending"

    # Dana signs her phone back in (from her laptop): her swap with Ben is made, as hers.
    await sign_in_with(dana, await move_code(laptop))
    await dana.goto("/tap")

    async def made() -> bool:
        return await connections(pool, DANA.name, BEN.name) == 1

    await eventually(made, "Dana's swap with Ben made once she is signed in again")
    [sent] = await outbox_records(dana)
    assert sent["status"] == "done"
    assert await connections(pool, SAM.name, BEN.name) == 0
