"""The first swap at a venue whose Wi-Fi dropped: Scan and Tap open with no network though
they were never opened online, for someone who just made her card and for a guest who just
left her details on someone's card (kept by the service worker as soon as it knows who is
signed in, fetched once, not on every page load); and the offline page never tells someone
signed in to sign in."""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.browser.conftest import NewPage
from tests.browser.network_proxy import Sent, network_proxy
from tests.browser.ui import (
    DANA,
    leave_details,
    make_card_from_home,
    offline_mark,
    service_worker_controls,
    share_link,
)
from tests.waiting import eventually

OFFLINE = "You're offline"
# The pages kept on this phone, by path (the service worker's cache, sw-cache.js).
KEPT_PATHS = """async () => {
  if (!(await caches.has("reachout-pages"))) return [];
  const cache = await caches.open("reachout-pages");
  return (await cache.keys()).map((request) => new URL(request.url).pathname).sort();
}"""


async def kept_paths(page: Page) -> list[str]:
    paths: list[str] = await page.evaluate(KEPT_PATHS)
    return paths


async def swap_pages_kept(page: Page) -> None:
    async def all_kept() -> bool:
        return {"/share", "/scan", "/tap"} <= set(await kept_paths(page))

    await eventually(all_kept, "My QR, Scan and Tap were not kept for offline")


async def scan_and_tap_open_offline(page: Page, name: str) -> None:
    """No network: My QR, Scan and Tap are the real pages, as this phone saved them."""
    await page.context.set_offline(True)
    await page.goto("/scan")
    await expect(page.get_by_role("heading", level=1, name="Scan their code")).to_be_visible()
    await expect(offline_mark(page)).to_be_visible()
    await page.goto("/tap")
    await expect(page.get_by_role("heading", level=1, name="Tap to swap")).to_be_visible()
    await page.goto("/share")
    await expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()
    await expect(page.locator("#qr svg")).to_be_visible()
    await expect(page.get_by_role("heading", name=OFFLINE)).to_have_count(0)


async def test_scan_and_tap_open_offline_though_never_opened_online(
    new_phone_page: NewPage,
) -> None:
    sent: list[Sent] = []

    async def watch(request: Sent) -> bytes | None:
        sent.append(request)
        return None

    async with network_proxy(watch) as proxy:
        dana = await new_phone_page(proxy={"server": proxy})
        await make_card_from_home(dana, DANA)  # lands on My QR: the only page she opened
        await service_worker_controls(dana)
        await swap_pages_kept(dana)
        # Fetched once in the background, not again as more pages load.
        await dana.goto("/contacts")
        await dana.goto("/share")
        await dana.goto("/followups")
        await expect(dana.get_by_role("heading", level=1, name="Follow-ups")).to_be_visible()
        for path in ("/scan", "/tap"):
            fetched = [r for r in sent if r.method == "GET" and r.path == path]
            assert len(fetched) == 1, (path, fetched)

        await scan_and_tap_open_offline(dana, DANA.name)


async def test_a_guest_s_swap_pages_open_offline_and_she_is_never_told_to_sign_in(
    new_phone_page: NewPage,
) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    link = await share_link(dana)
    mia = await new_phone_page()
    await mia.goto(link)
    await leave_details(mia, DANA.name, "Mia Chen", "mia@example.com")  # the welcome page
    await service_worker_controls(mia)
    await swap_pages_kept(mia)
    await scan_and_tap_open_offline(mia, "Mia Chen")

    # Nothing kept (say, the Wi-Fi dropped before the worker could keep anything): the
    # offline page tells her what to do, without "sign in": she is signed in.
    await mia.evaluate("() => caches.delete('reachout-pages')")
    await mia.goto("/contacts")
    await expect(mia.get_by_role("heading", level=1, name=OFFLINE)).to_be_visible()
    said = mia.get_by_text("No pages are saved on this phone yet")
    await expect(said).to_have_text(
        "The venue's network seems to be down. No pages are saved on this phone yet: open My QR"
        " once while online, and it will open here with no network."
    )
