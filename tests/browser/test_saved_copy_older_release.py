"""A page saved on the phone by an older release, shown from the phone while the server
answers 503 (its database away): its scripts, of a version no server has any more (a 404:
server/web/headers.py), come from the current ones the phone keeps, so the page still says it
is a saved copy (review r57)."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import NewPage
from tests.browser.network_proxy import Sent, network_proxy
from tests.browser.test_offline_saved_said import (
    SAVED_AT,
    proxy_error,
    signed_in_with_kept_pages,
)
from tests.browser.ui import DANA, offline_mark

# The kept My QR as an older release wrote it: every static file under another version.
AS_AN_OLDER_RELEASE_SAVED_IT = """async () => {
  const cache = await caches.open("reachout-pages");
  for (const request of await cache.keys()) {
    if (new URL(request.url).pathname !== "/share") continue;
    const kept = await cache.match(request);
    const html = (await kept.text()).replace(/([?&]v=)[^"'&]+/g, "$1older0000");
    await cache.put(request, new Response(html, {
      status: kept.status, statusText: kept.statusText, headers: kept.headers,
    }));
    return html.includes("v=older0000");
  }
  return false;
}"""


async def test_a_page_saved_by_an_older_release_still_says_it_is_saved(
    new_phone_page: NewPage,
) -> None:
    away = False

    async def database_away(sent: Sent) -> bytes | None:
        if away and sent.path == "/share":
            return proxy_error(503, "Service Unavailable")
        return None

    async with network_proxy(database_away) as proxy:
        dana = await signed_in_with_kept_pages(new_phone_page, proxy)
        assert await dana.evaluate(AS_AN_OLDER_RELEASE_SAVED_IT)
        away = True
        await dana.goto("/share")
        await expect(dana.get_by_role("heading", level=1, name=DANA.name)).to_be_visible()
        # Said by app.js, of the version the phone keeps now.
        await expect(offline_mark(dana)).to_have_text(SAVED_AT)
