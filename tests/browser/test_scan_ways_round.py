"""Scan's ways round, for someone with a phone in one hand: with no QR reader, the Tap screen
named in the alert is a link there; a photo with no code in it gives the camera back.

Headless Linux Chromium has no ``BarcodeDetector``: codes are read by jsQR alone, which the
phone fetches as Scan opens (no service worker here, whose copy would answer instead).
"""

from __future__ import annotations

import io

from PIL import Image
from playwright.async_api import expect

from tests.browser.conftest import CameraPhone, NewPage
from tests.browser.test_scan import dana_and_her_link
from tests.browser.test_scan_slow_reader import (
    READER,
    READER_MISSING,
    open_scan_with_the_camera,
    reader_held,
)
from tests.browser.ui import DANA, MIA, make_card_from_home


async def test_with_no_reader_the_alert_links_to_tap(new_phone_page: NewPage) -> None:
    mia = await new_phone_page(service_workers="block")  # no camera either
    await mia.context.route(READER, lambda route: route.abort())
    await make_card_from_home(mia, MIA)
    await mia.goto("/scan")
    said = mia.get_by_role("alert")
    await expect(said).to_contain_text(READER_MISSING)
    await expect(said).to_contain_text("This phone has no camera we can open.")
    # Both ways round it said (the reader's, the camera's) go to Tap, by a name saying so.
    ways = said.get_by_role("link", name="type their code on Tap")
    await expect(ways).to_have_count(2)
    await ways.last.click()
    await expect(mia.get_by_role("heading", level=1, name="Tap to swap")).to_be_visible()
    await expect(mia.get_by_role("heading", name="Or swap with a code")).to_be_visible()


def blank_photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), "white").save(out, format="PNG")
    return out.getvalue()


async def test_a_photo_with_no_code_gives_the_open_camera_back(
    new_phone_page: NewPage, camera_phone: CameraPhone, live_server: str
) -> None:
    """The camera sees Dana's code; the reader is held, so the camera opens without reading
    it (after a few seconds, as on slow Wi-Fi) and the photo waits for the reader."""
    _, link = await dana_and_her_link(new_phone_page)
    mia = await camera_phone(link, service_workers="block")
    async with reader_held(mia) as released:
        await open_scan_with_the_camera(mia, live_server)

        # She takes a photo of something else (the camera gives way to it), with no code in it.
        await mia.get_by_label("Take a photo of the code").set_input_files(
            {"name": "photo.png", "mimeType": "image/png", "buffer": blank_photo()}
        )
        waiting = mia.get_by_role("status").filter(has_text="Getting the QR reader…")
        await expect(waiting).to_be_visible()
        released.set()

        # Nothing pressed: the camera is back, and reads Dana's code.
        await expect(mia.get_by_role("heading", name=f"Swap with {DANA.name}?")).to_be_visible()
        await expect(mia.get_by_role("button", name="Scan another code")).to_be_hidden()
