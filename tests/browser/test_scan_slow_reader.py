"""Scan where the QR reader (jsQR, fetched as Scan opens) is slow to come or never does.

Venue Wi-Fi that holds the request: the camera opens after a few seconds all the same, and
reads the code once the reader arrives. A reader that cannot be loaded at all is said. The
phone has no service worker yet (its first visit, or one that keeps none), whose copy of the
reader would answer instead.
"""

from __future__ import annotations

import asyncio
import re

from playwright.async_api import Route, expect

from tests.browser.conftest import CameraPhone, NewPage
from tests.browser.test_scan import confirm_swap, dana_and_her_link
from tests.browser.ui import MIA, make_card_from_home
from tests.waiting import eventually

# Versioned by the page (?v=…), so not a glob.
READER = re.compile(r"/vendor/jsqr-[^/?]*\.js")


async def test_the_camera_opens_while_the_reader_is_slow_and_reads_once_it_comes(
    new_phone_page: NewPage, camera_phone: CameraPhone, live_server: str
) -> None:
    _, link = await dana_and_her_link(new_phone_page)
    mia = await camera_phone(link, service_workers="block")
    released = asyncio.Event()

    async def slow(route: Route) -> None:
        await released.wait()
        await route.continue_()

    await mia.context.route(READER, slow)
    await make_card_from_home(mia, MIA)
    await mia.context.grant_permissions(["camera"], origin=live_server)
    # The page never finishes loading while the reader it asked for is on its way.
    await mia.goto("/scan", wait_until="domcontentloaded")
    camera = mia.get_by_label("Camera")

    async def showing_what_it_sees() -> bool:
        # What she sees: the preview playing the camera's frames.
        return bool(await camera.evaluate("v => v.srcObject !== null && v.readyState >= 2"))

    await eventually(showing_what_it_sees, "the camera did not open while the reader was held")
    await expect(mia.get_by_role("heading", name="Swap with Dana Lee?")).to_have_count(0)

    released.set()
    await confirm_swap(mia)
    await expect(mia.get_by_role("heading", level=1, name="Dana Lee")).to_be_visible()


async def test_a_reader_that_cannot_load_is_said(
    new_phone_page: NewPage, camera_phone: CameraPhone, live_server: str
) -> None:
    _, link = await dana_and_her_link(new_phone_page)
    mia = await camera_phone(link, service_workers="block")
    await mia.context.route(READER, lambda route: route.abort())
    await make_card_from_home(mia, MIA)
    await mia.context.grant_permissions(["camera"], origin=live_server)
    await mia.goto("/scan")
    said = mia.get_by_role("alert").filter(has_text="The QR reader did not load")
    await expect(said).to_contain_text("type their code on Tap")
    # The camera opening after it does not take the words away.
    await expect(mia.get_by_label("Camera")).to_be_visible()
    await expect(said).to_be_visible()
