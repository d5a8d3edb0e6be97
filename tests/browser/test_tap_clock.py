"""The Tap screen's clock (tap.js): each sample timed by the browser's network stack however
long the page has been open, a sample that fails left out rather than all five, and "Ready"
said only once the server's time is known."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

from playwright.async_api import Page, Request, Route, expect

from tests.browser.conftest import NewPage
from tests.browser.test_tap import READY, open_tap, turn_on_bump
from tests.browser.test_tap_after_sleep import BUMP, is_bump
from tests.browser.ui import DANA, make_card_from_home
from tests.waiting import eventually

# Whether each clock sample found its Resource Timing entry, as tap.js asked for it.
TIMINGS_SEEN = """(() => {
  window.__clockTimings = [];
  const find = performance.getEntriesByName.bind(performance);
  performance.getEntriesByName = (name, type) => {
    const found = find(name, type);
    if (name.includes("/tap/clock")) window.__clockTimings.push(found.length > 0);
    return found;
  };
})()"""
# More requests than the browser keeps timings of (250 a page), as the Tap screen makes in
# 10 to 25 minutes: the code check every 3 s, bump waits, clock samples.
FILL = """async (count) => {
  for (let i = 0; i < count; i++) {
    // Read to the end: a request's timing is recorded once its answer has all come.
    await (await fetch("/tap/clock?fill=" + i, { cache: "no-store" })).text();
  }
}"""
WAKE = """() => document.dispatchEvent(new Event("visibilitychange"))"""
NOT_READY = "Bump isn't ready yet"
# The server's clock as these tests set it: far from this machine's, to tell one offset from
# none (an offset of 0 is all a page with no answer had).
AHEAD_MS = 20_000
WITHIN_MS = 1000


async def dana_on_tap(new_phone_page: NewPage) -> Page:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    return dana


async def test_a_sample_after_hundreds_of_requests_is_still_timed_by_the_network(
    new_phone_page: NewPage,
) -> None:
    dana = await dana_on_tap(new_phone_page)
    await dana.add_init_script(TIMINGS_SEEN)
    await open_tap(dana)
    await turn_on_bump(dana)
    await dana.evaluate(FILL, 300)
    seen = await dana.evaluate("window.__clockTimings.length")
    await dana.evaluate(WAKE)  # samples the clock again, as the 30-second resync does

    async def five_more() -> list[bool] | None:
        timings: list[bool] = await dana.evaluate("window.__clockTimings")
        return timings[seen:] if len(timings) >= seen + 5 else None

    assert await eventually(five_more, "five new clock samples") == [True] * 5


async def ahead(route: Route) -> None:
    """The server's clock, AHEAD_MS ahead; the first of each sync's five samples dropped on
    the way (tap.js numbers them from 1)."""
    sample = parse_qs(urlsplit(route.request.url).query).get("sample", ["0"])[0]
    if int(sample) % 5 == 1:
        await route.abort()
        return
    now = time.time() * 1000 + AHEAD_MS
    await route.fulfill(json={"now": now}, headers={"cache-control": "no-store"})


async def test_one_sample_lost_the_others_still_set_the_clock(new_phone_page: NewPage) -> None:
    dana = await dana_on_tap(new_phone_page)
    await dana.route("**/tap/clock?*", ahead)
    await open_tap(dana)
    await turn_on_bump(dana)
    async with dana.expect_request(is_bump) as sent:
        felt = await dana.evaluate(BUMP)
    request: Request = await sent.value
    assert request.post_data is not None
    reported = float(parse_qs(request.post_data)["bumped_at"][0])
    assert abs(reported - (felt + AHEAD_MS)) < WITHIN_MS, (reported - felt, AHEAD_MS)


async def test_ready_only_once_the_clock_answers(new_phone_page: NewPage) -> None:
    dana = await dana_on_tap(new_phone_page)
    await open_tap(dana)
    await dana.route("**/tap/clock?*", lambda route: route.abort())
    bumps: list[Request] = []
    dana.on("request", lambda r: bumps.append(r) if is_bump(r) else None)
    await dana.get_by_role("button", name="Turn on bump").tap()
    await expect(dana.get_by_text(NOT_READY)).to_be_visible()
    await expect(dana.get_by_text(READY)).to_have_count(0)
    # A bump now would carry this phone's own time: not sent, and said why.
    await dana.evaluate(BUMP)
    await expect(dana.get_by_text(NOT_READY)).to_be_visible()
    assert bumps == []
    # The clock answers again: ready by itself, without turning bump off and on.
    await dana.unroute("**/tap/clock?*")
    await expect(dana.get_by_text(READY)).to_be_visible(timeout=15_000)
