"""A contact's page kept for offline before pages carried the version of what they show
(x-reachout-shown) stays on the phone until a fresh copy comes: the first Contacts after the
update fetches it again, and venue Wi-Fi that loses that fetch loses nothing."""

from __future__ import annotations

import re

from playwright.async_api import Route, expect

from tests.browser.conftest import NewPage
from tests.browser.test_offline_contacts_checked import (
    call_link,
    email_link,
    kept_page,
    mia_keeps_danas_page,
)
from tests.browser.ui import DANA, offline_mark
from tests.waiting import eventually

# The kept copy of a page (by path) made as one kept before versions were sent: without
# the x-reachout-shown header (content-length goes too, as sw-cache.js's marked() does).
KEPT_BEFORE_VERSIONS = """async (path) => {
  const cache = await caches.open("reachout-pages");
  const key = location.origin + path;
  const kept = await cache.match(key, { ignoreVary: true });
  const headers = new Headers(kept.headers);
  headers.delete("x-reachout-shown");
  headers.delete("content-length");
  await cache.put(key, new Response(await kept.text(), {
    status: kept.status, statusText: kept.statusText, headers: headers,
  }));
}"""

# The version header of the kept copy of a page (by path): "" when it has none, null when
# no copy is kept.
KEPT_VERSION = """async (path) => {
  const kept = await caches.match(location.origin + path,
                                  { cacheName: "reachout-pages", ignoreVary: true });
  return kept ? kept.headers.get("x-reachout-shown") || "" : null;
}"""


async def test_a_page_kept_before_versions_stays_until_its_new_copy_comes(
    new_phone_page: NewPage,
) -> None:
    """Mia's phone kept Dana's page before the update. Her first Contacts after it, on Wi-Fi
    that loses the fetch of Dana's page, leaves that page kept: at the venue with no network
    it still shows Dana's email and phone. On a network that works, it is kept anew."""
    _, mia, path = await mia_keeps_danas_page(new_phone_page)
    await mia.evaluate(KEPT_BEFORE_VERSIONS, path)
    assert await mia.evaluate(KEPT_VERSION, path) == ""

    lost: list[str] = []

    async def flaky_wifi(route: Route) -> None:
        lost.append(route.request.url)
        await route.abort("connectionreset")

    # The service worker's own fetch of the page: the context's routes see it.
    danas_page = re.compile(re.escape(path) + r"$")
    await mia.context.route(danas_page, flaky_wifi)
    await mia.goto("/contacts")  # online, the first time since the update
    await expect(mia.get_by_role("heading", level=1, name="Contacts")).to_be_visible()

    async def fetched_again() -> bool:
        return bool(lost)

    await eventually(fetched_again, "Dana's page fetched again, and the fetch lost")
    assert DANA.email in (await kept_page(mia, path) or ""), "Dana's page was lost"

    await mia.context.set_offline(True)
    await mia.goto(path)
    await expect(offline_mark(mia)).to_be_visible()
    await expect(mia.get_by_role("heading", level=1, name=DANA.name)).to_be_visible()
    await expect(email_link(mia, DANA.email)).to_be_visible()
    await expect(call_link(mia)).to_be_visible()

    # Back on a network that works: the next Contacts keeps Dana's page anew, with a version.
    await mia.context.set_offline(False)
    await mia.context.unroute(danas_page)
    await mia.goto("/contacts")
    await expect(mia.get_by_role("heading", level=1, name="Contacts")).to_be_visible()

    async def kept_anew() -> bool:
        return bool(await mia.evaluate(KEPT_VERSION, path))

    await eventually(kept_anew, "Dana's page kept anew, with the version of what it shows")
    assert DANA.email in (await kept_page(mia, path) or "")
