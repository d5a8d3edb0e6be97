"""A photo taken on Scan where the QR reader never loaded: the alert above says so, with the
way round ("type their code on Tap") a link; the status line under it, where the photo's
result is said, said the alert's sentence again as plain text, so a screen reader read it
twice, the second time with no link. It says what became of the photo, and points to the
link, instead.

Headless Linux Chromium has no ``BarcodeDetector``: with jsQR held back, nothing reads codes.
No service worker, whose copy of the reader would answer instead.
"""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import NewPage
from tests.browser.test_scan import dana_and_her_link, take_photo
from tests.browser.test_scan_slow_reader import READER, READER_MISSING
from tests.browser.ui import MIA, make_card_from_home

PHOTO_UNREAD = (
    "That photo was not read: a photo needs the QR reader too. The link above goes to Tap, "
    "where you can type their code."
)


async def test_a_photo_with_no_reader_is_answered_once_with_the_link_said_once(
    new_phone_page: NewPage,
) -> None:
    _, link = await dana_and_her_link(new_phone_page)
    mia = await new_phone_page(service_workers="block")  # no camera: a photo is her way
    await mia.context.route(READER, lambda route: route.abort())
    await make_card_from_home(mia, MIA)
    await mia.goto("/scan")
    alert = mia.get_by_role("alert")
    await expect(alert).to_contain_text("This phone has no camera we can open")
    await take_photo(mia, link)

    # What became of her photo, in the status line, pointing to the way round above it.
    status = mia.get_by_role("status").filter(has_text="That photo was not read")
    await expect(status).to_have_text(PHOTO_UNREAD)
    # The missing reader said once on the page, in the alert, its way round a link there.
    await expect(mia.get_by_text(READER_MISSING)).to_have_count(1)
    await expect(alert).to_contain_text(READER_MISSING)
    repeated = mia.get_by_role("status").filter(has_text="The QR reader did not load")
    await expect(repeated).to_have_count(0)
    ways = alert.get_by_role("link", name="type their code on Tap")
    await expect(ways.first).to_be_visible()
    await ways.first.click()
    await expect(mia.get_by_role("heading", level=1, name="Tap to swap")).to_be_visible()
