"""Lines that appear later on a page (why the camera did not open, "Card written to the tag.",
"Reminders are blocked…") are read out: each is said into a live region that was on the
page, shown and empty, from the start. One ``hidden`` until shown with its words already in
it, as the camera's error was, is not read by a screen reader (review r73).

``LIVE_AT_LOAD`` notes the live regions a screen reader knows of before the page's scripts
run; ``said_into_a_live_region`` is whether some words went into one of them, empty then.
"""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.browser.conftest import NewPage
from tests.browser.test_camera_refused_said import NO_CAMERA, REFUSED, mia_opens_scan
from tests.browser.test_nfc import WRITE_BUTTON, nfc_phone
from tests.browser.ui import DANA, make_card_from_home

LIVE_AT_LOAD = """
document.addEventListener("readystatechange", () => {
  if (document.readyState !== "interactive") return;
  window.__liveAtLoad = Array.from(
    document.querySelectorAll("[role=alert], [role=status], [aria-live]")
  ).filter((region) => region.checkVisibility() && !region.textContent.trim());
});
"""
SAID = """(words) => (window.__liveAtLoad || []).some(
  (region) => region.isConnected && region.checkVisibility() && region.textContent.includes(words)
)"""
# Notifications refused for the site, as a person who once said "Block" has them.
NOTIFICATIONS_BLOCKED = """
Object.defineProperty(Notification, "permission", { get: () => "denied" });
Notification.requestPermission = () => Promise.resolve("denied");
"""
BLOCKED = (
    "Reminders are blocked for this site. Allow notifications in your browser's site "
    "settings, then try again."
)


async def said_into_a_live_region(page: Page, words: str) -> bool:
    return bool(await page.evaluate(SAID, words))


async def test_why_the_camera_did_not_open_is_read_out(new_phone_page: NewPage) -> None:
    mia = await mia_opens_scan(new_phone_page, "NotAllowedError")
    await expect(mia.get_by_role("alert")).to_have_text(REFUSED)
    await mia.context.add_init_script(LIVE_AT_LOAD)
    await mia.reload()
    await expect(mia.get_by_role("alert")).to_have_text(REFUSED)
    assert await said_into_a_live_region(mia, REFUSED)
    # Headless Chromium has no camera at all: said the same way.
    other = await mia_opens_scan(new_phone_page, None)
    await expect(other.get_by_role("alert")).to_have_text(NO_CAMERA)


async def test_nfc_lines_are_read_out(new_phone_page: NewPage) -> None:
    dana = await nfc_phone(new_phone_page)
    await dana.context.add_init_script(LIVE_AT_LOAD)
    await make_card_from_home(dana, DANA)
    await dana.goto("/share")
    await dana.get_by_role("button", name=WRITE_BUTTON).tap()
    await expect(dana.get_by_role("status").filter(has_text="Card written")).to_be_visible()
    assert await said_into_a_live_region(dana, "Card written to the tag.")
    # Scan's line is there the same way, before anything is read.
    await dana.goto("/scan")
    await expect(dana.get_by_role("button", name="Read an NFC tag")).to_be_visible()
    assert await dana.locator("[data-nfc-status]").evaluate(
        "(line) => window.__liveAtLoad.includes(line)"
    )


async def test_reminders_blocked_is_read_out(new_phone_page: NewPage) -> None:
    dana = await new_phone_page()
    await dana.context.add_init_script(LIVE_AT_LOAD)
    await dana.context.add_init_script(NOTIFICATIONS_BLOCKED)
    await make_card_from_home(dana, DANA)
    await dana.goto("/settings")
    await dana.get_by_role("button", name="Turn on reminders").tap()
    await expect(dana.get_by_role("status").filter(has_text="Reminders are blocked")).to_have_text(
        BLOCKED
    )
    assert await said_into_a_live_region(dana, BLOCKED)
