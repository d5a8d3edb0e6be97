"""Bump on venue Wi-Fi that carries nothing: the clock's samples get no answer, and Bump says
it isn't ready (and why, and what to do instead) within seconds, then gets ready by itself
once the clock answers; never "Getting ready…" until a reload."""

from __future__ import annotations

import asyncio
import contextlib

from playwright.async_api import Error, Route, expect

from tests.browser.conftest import NewPage
from tests.browser.test_tap import READY, open_tap
from tests.browser.test_tap_clock import NOT_READY, dana_on_tap

# tap.js gives up on a sample after 3 s; the rest is room for a busy machine.
SAID_WITHIN_MS = 8_000
# tap.js tries again every 10 s while not ready.
READY_WITHIN_MS = 20_000


async def test_a_clock_that_never_answers_says_bump_is_not_ready(new_phone_page: NewPage) -> None:
    dana = await dana_on_tap(new_phone_page)
    await open_tap(dana)
    release = asyncio.Event()
    held: list[str] = []

    async def hold(route: Route) -> None:
        """Each sample sent while the Wi-Fi carries nothing waits for an answer never sent."""
        if not release.is_set():
            held.append(route.request.url)
            await release.wait()
        # Given up on by the page meanwhile: passing it on may fail, which is the point.
        with contextlib.suppress(Error):
            await route.continue_()

    await dana.route("**/tap/clock?*", hold)
    try:
        await dana.get_by_role("button", name="Turn on bump").tap()
        await expect(dana.get_by_text(NOT_READY)).to_be_visible(timeout=SAID_WITHIN_MS)
        assert held, "no clock sample was sent"
        await expect(dana.get_by_text(READY)).to_have_count(0)
    finally:
        release.set()
    # The network answers again: ready by itself, without turning bump off and on.
    await expect(dana.get_by_text(READY)).to_be_visible(timeout=READY_WITHIN_MS)
