"""The app icon's count and the notification's badge, in Chromium against the real server.

The Badging API draws nothing headless, so the page's ``setAppBadge``/``clearAppBadge`` are
stood in for by a recorder (an init script); what they are called with is what the phone's
icon would show. The notification's badge image is fetched as the phone would,
and looked at: Android's status bar draws it from its alpha alone.
"""

from __future__ import annotations

import io
import json
import re

import asyncpg
from PIL import Image
from playwright.async_api import Page, expect

from server.local_services.push_service import LocalPushService
from tests.browser.conftest import NewPage
from tests.browser.test_reminders import (
    turn_on_reminders,
)
from tests.browser.ui import ServiceWorkerControl, swap_with_mia
from tests.reminders import make_due

# In every page, before its scripts: each call this page made, in order (0 for a clear).
# Per page (sign-out clears the site's storage).
PAGE_BADGE_RECORDER = """(() => {
  window.__badgeCalls = [];
  const record = (count) => {
    window.__badgeCalls.push(count);
    return Promise.resolve();
  };
  Navigator.prototype.setAppBadge = function (count) { return record(count ?? -1); };
  Navigator.prototype.clearAppBadge = function () { return record(0); };
})();"""
PAGE_BADGE_CALLS = "() => window.__badgeCalls"

SHOWN_BADGES = """async () => {
  const registration = await navigator.serviceWorker.ready;
  return (await registration.getNotifications()).map((n) => ({ tag: n.tag, badge: n.badge }));
}"""


async def reminders_on(
    new_phone_page: NewPage, live_server: str, push: LocalPushService
) -> tuple[Page, ServiceWorkerControl]:
    """Dana, who swapped with Mia, with reminders on; her service worker's hold."""
    dana = await swap_with_mia(new_phone_page)
    await turn_on_reminders(dana, live_server, push)
    return dana, await ServiceWorkerControl.attach(dana, live_server)


async def test_the_notification_badge_is_a_white_glyph_on_transparent(
    new_phone_page: NewPage, live_server: str, push: LocalPushService
) -> None:
    dana, control = await reminders_on(new_phone_page, live_server, push)
    message = json.dumps({"title": "Follow up with Mia Chen", "body": "You met today.", "tag": "t"})
    await control.deliver_push(message)
    await control.shown_after_push(dana, message)
    [shown] = await dana.evaluate(SHOWN_BADGES)
    assert shown["badge"], shown

    response = await dana.request.get(shown["badge"])
    assert response.ok, shown["badge"]
    image = Image.open(io.BytesIO(await response.body()))
    assert image.mode in ("RGBA", "LA"), f"{shown['badge']} has no alpha channel ({image.mode})"
    rgba = image.convert("RGBA")
    assert 72 <= rgba.width <= 192 and rgba.width == rgba.height, rgba.size
    raw = rgba.tobytes()
    pixels = [tuple(raw[at : at + 4]) for at in range(0, len(raw), 4)]
    # Android shows its alpha only: a background, even white, makes a solid square.
    corners = (0, rgba.width - 1, len(pixels) - rgba.width, len(pixels) - 1)
    assert [pixels[corner][3] for corner in corners] == [0, 0, 0, 0]
    seen = [pixel for pixel in pixels if pixel[3] > 0]
    transparent = len(pixels) - len(seen)
    assert 0.3 < transparent / len(pixels) < 0.95, "a glyph, not a square nor nothing"
    assert {pixel[:3] for pixel in seen} == {(255, 255, 255)}, "one colour: white"


async def test_signing_out_clears_the_app_icon_count(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana = await swap_with_mia(new_phone_page)
    await dana.context.add_init_script(PAGE_BADGE_RECORDER)
    await make_due(pool)
    await dana.goto("/settings")
    await expect(dana.locator("body")).to_have_attribute("data-badge", "1")
    assert await dana.evaluate(PAGE_BADGE_CALLS) == [1]

    await dana.get_by_role("button", name="Sign out of this device").tap()
    await expect(dana.locator("body")).not_to_have_attribute("data-signed-in", re.compile(".*"))
    await dana.wait_for_load_state("load")  # app.js (deferred) has set the page up
    # The page she lands on, signed out, takes Dana's count off the icon.
    assert await dana.evaluate(PAGE_BADGE_CALLS) == [0], "the icon still shows Dana's count"
