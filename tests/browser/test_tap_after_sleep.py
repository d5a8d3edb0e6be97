"""Bump after the phone slept: tap.js's clock (performance.now()) stands still while a phone
sleeps, so the offset to the server's clock found before is out by the sleep. Waking, the
page finds it again, and a bump felt before that is done waits for it: reported in server
time all the same, not a minute late (which the server refuses as a badly set clock)."""

from __future__ import annotations

from urllib.parse import parse_qs

from playwright.async_api import Page, Request, expect

from tests.browser.conftest import NewPage
from tests.browser.test_tap import open_tap, turn_on_bump
from tests.browser.ui import DANA, make_card_from_home
from tests.waiting import eventually

# The page's clock as a phone's after a sleep: performance.now() behind by window.__slept.
# Samples timed by the script, not Resource Timing (whose stamps this cannot move back).
SLEEPING_CLOCK = """(() => {
  window.__slept = 0;
  const now = performance.now.bind(performance);
  performance.now = () => now() - window.__slept;
  performance.getEntriesByName = () => [];
})()"""
SLEEP_MS = 60_000
# One bump, felt now; resolves with the wall-clock moment (this machine's, as the server's).
BUMP = """() => {
  const felt = Date.now();
  window.dispatchEvent(new DeviceMotionEvent("devicemotion", {
    acceleration: { x: 25, y: 0, z: 0 },
    accelerationIncludingGravity: { x: 25, y: 0, z: 9.8 },
    interval: 16,
  }));
  return felt;
}"""
WAKE = """(slept) => {
  window.__slept = slept;
  document.dispatchEvent(new Event("visibilitychange"));
}"""
# Far under the sleep, and under the server's MAX_AGE_MS for a bump.
WITHIN_MS = 1000
BUMP_CLOCK = "That bump's time is too far from ours."


async def ready_to_bump(new_phone_page: NewPage) -> tuple[Page, list[str]]:
    """Dana on Tap with bump on, and the clock samples her page asks for, from now on."""
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    await dana.add_init_script(SLEEPING_CLOCK)
    await open_tap(dana)
    await turn_on_bump(dana)
    samples: list[str] = []
    dana.on("request", lambda r: samples.append(r.url) if "/tap/clock" in r.url else None)
    return dana, samples


async def bumped_at(dana: Page, felt: int, request: Request) -> None:
    """The bump was reported at the moment felt, in server time, and not refused."""
    assert request.post_data is not None
    reported = float(parse_qs(request.post_data)["bumped_at"][0])
    assert abs(reported - felt) < WITHIN_MS, (reported, felt)
    response = await request.response()
    assert response is not None and response.status == 200
    await expect(dana.get_by_text(BUMP_CLOCK)).to_have_count(0)


def is_bump(request: Request) -> bool:
    return request.method == "POST" and request.url.endswith("/tap/bumps")


async def test_waking_finds_the_clock_again_before_the_next_bump(new_phone_page: NewPage) -> None:
    dana, samples = await ready_to_bump(new_phone_page)
    await dana.evaluate(WAKE, SLEEP_MS)
    # Asked at once, not at the next 30-second resync.
    await eventually(lambda: _at_least(samples, 5), "the clock sampled again on waking")
    async with dana.expect_request(is_bump) as sent:
        felt = await dana.evaluate(BUMP)
    await bumped_at(dana, felt, await sent.value)


async def test_a_bump_straight_after_waking_waits_for_the_clock(new_phone_page: NewPage) -> None:
    dana, samples = await ready_to_bump(new_phone_page)
    # Woken and bumped in one go: the samples are on their way as it is felt.
    async with dana.expect_request(is_bump) as sent:
        felt = await dana.evaluate(f"() => {{ ({WAKE})({SLEEP_MS}); return ({BUMP})(); }}")
    await bumped_at(dana, felt, await sent.value)
    assert len(samples) >= 5  # the bump was sent after the new offset, not before


async def test_a_bump_after_a_sleep_nobody_announced_waits_for_the_clock(
    new_phone_page: NewPage,
) -> None:
    """No visibilitychange (a browser that sends none on waking): the bump itself sees its
    clock fell behind the wall clock, and has the offset found again first."""
    dana, samples = await ready_to_bump(new_phone_page)
    await dana.evaluate("(slept) => { window.__slept = slept; }", SLEEP_MS)
    async with dana.expect_request(is_bump) as sent:
        felt = await dana.evaluate(BUMP)
    await bumped_at(dana, felt, await sent.value)
    assert len(samples) >= 5


async def _at_least(samples: list[str], count: int) -> bool:
    return len(samples) >= count
