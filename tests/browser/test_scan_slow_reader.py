"""Scan where the QR reader (jsQR, fetched as Scan opens) is slow to come or never does.

Venue Wi-Fi that holds the request: the camera opens after a few seconds all the same, and
reads the code once the reader arrives; a photo of the code waits for it. A reader that cannot
be loaded at all is said, by the photo too, and the camera's words then offer Tap, not a photo.
The phone has no service worker yet (its first visit, or one that keeps none), whose copy of
the reader would answer instead.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from playwright.async_api import Page, Route, expect

from tests.browser.conftest import CameraPhone, NewPage
from tests.browser.test_scan import confirm_swap, dana_and_her_link, take_photo
from tests.browser.ui import MIA, make_card_from_home
from tests.waiting import eventually

# Versioned by the page (?v=…), so not a glob.
READER = re.compile(r"/vendor/jsqr-[^/?]*\.js")
READER_MISSING = (
    "The QR reader did not load, so codes cannot be read here. Open Scan again when you're "
    "online, or type their code on Tap."
)


@asynccontextmanager
async def reader_held(phone: Page) -> AsyncIterator[asyncio.Event]:
    """The phone's request for the reader held, as venue Wi-Fi may, until the event is set;
    set on the way out too: a request held still would keep the phone from closing."""
    released = asyncio.Event()

    async def slow(route: Route) -> None:
        await released.wait()
        await route.continue_()

    await phone.context.route(READER, slow)
    try:
        yield released
    finally:
        released.set()


async def open_scan_with_the_camera(phone: Page, live_server: str) -> None:
    """Mia makes her card and opens Scan with the camera allowed (not waiting for the page to
    finish loading: it never does while the reader is held); back once the preview plays."""
    await make_card_from_home(phone, MIA)
    await phone.context.grant_permissions(["camera"], origin=live_server)
    await phone.goto("/scan", wait_until="domcontentloaded")
    camera = phone.get_by_label("Camera")

    async def showing_what_it_sees() -> bool:
        # What she sees: the preview playing the camera's frames.
        return bool(await camera.evaluate("v => v.srcObject !== null && v.readyState >= 2"))

    await eventually(showing_what_it_sees, "the camera did not open while the reader was held")


async def test_the_camera_opens_while_the_reader_is_slow_and_reads_once_it_comes(
    new_phone_page: NewPage, camera_phone: CameraPhone, live_server: str
) -> None:
    _, link = await dana_and_her_link(new_phone_page)
    mia = await camera_phone(link, service_workers="block")
    async with reader_held(mia) as released:
        await open_scan_with_the_camera(mia, live_server)
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


async def test_a_photo_taken_while_the_reader_is_slow_waits_for_it_then_swaps(
    new_phone_page: NewPage,
) -> None:
    """An iPhone (no BarcodeDetector) with no camera to open: the photo is its way, and read
    without the reader it would be "No QR code found" however close."""
    _, link = await dana_and_her_link(new_phone_page)
    mia = await new_phone_page(service_workers="block")
    async with reader_held(mia) as released:
        await make_card_from_home(mia, MIA)
        await mia.goto("/scan", wait_until="domcontentloaded")
        await take_photo(mia, link)
        status = mia.get_by_role("status").filter(has_text="Getting the QR reader…")
        await expect(status).to_be_visible()
        await expect(mia.get_by_role("heading", name="Swap with Dana Lee?")).to_have_count(0)

        released.set()
        await confirm_swap(mia)
        await expect(mia.get_by_role("heading", level=1, name="Dana Lee")).to_be_visible()
        await expect(mia.get_by_text("No QR code found")).to_have_count(0)


async def test_a_photo_with_no_reader_says_so(new_phone_page: NewPage) -> None:
    _, link = await dana_and_her_link(new_phone_page)
    mia = await new_phone_page(service_workers="block")  # no camera: a photo is her way
    await mia.context.route(READER, lambda route: route.abort())
    await make_card_from_home(mia, MIA)
    await mia.goto("/scan")
    # Tried once the reader is known missing (or after seconds): by then it is.
    no_camera = mia.get_by_role("alert").filter(has_text="This phone has no camera we can open")
    await expect(no_camera).to_be_visible()
    await take_photo(mia, link)
    # Where the photo's result is said: not "No QR code found", tried again and again, and
    # the missing reader said once, in the alert with its link, not again as plain text.
    await expect(
        mia.get_by_role("status").filter(has_text="That photo was not read")
    ).to_be_visible()
    await expect(mia.get_by_text(READER_MISSING)).to_have_count(1)
    await expect(mia.get_by_text("No QR code found")).to_have_count(0)
    await expect(mia.get_by_role("heading", name="Swap with Dana Lee?")).to_have_count(0)


async def test_with_no_reader_a_blocked_camera_offers_tap_not_a_photo(
    camera_phone: CameraPhone, new_phone_page: NewPage
) -> None:
    _, link = await dana_and_her_link(new_phone_page)
    mia = await camera_phone(link, service_workers="block")  # the camera not allowed
    await mia.context.route(READER, lambda route: route.abort())
    await make_card_from_home(mia, MIA)
    await mia.goto("/scan")
    said = mia.get_by_role("alert").filter(has_text="The camera is blocked for this site")
    await expect(said).to_contain_text(
        "Allow the camera in your browser's site settings, or type their code on Tap instead."
    )
    await expect(said).to_contain_text(READER_MISSING)
    await expect(said).not_to_contain_text("take a photo")
