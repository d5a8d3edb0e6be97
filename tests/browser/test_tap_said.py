"""What the Tap screen says, and keeps, when its answer is no answer: a gateway's 502, our own
503 while the database is away, no network at all. A swap kept on the phone is said next to the
form, in a live region, and later what became of it; a double tap offline is one swap and no
error; a phone that cannot even keep it says so. (A 5xx on other forms: test_server_errors_said.)"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs

import asyncpg
import pytest
from playwright.async_api import Browser, Locator, Page, Route, expect

from server.tap import codes
from tests.browser.conftest import NewPage, phones
from tests.browser.test_tap import (
    code_form,
    guest_form,
    my_code,
    offline_on_tap,
    open_tap,
    other_code,
    two_phones_on_tap,
    type_code,
)
from tests.browser.test_tap_no_answer import (
    OMAR,
    RETRIED_WITHIN_MS,
    dana_on_tap,
    fill_omar,
    no_answer,
    omars,
    says_online,
)
from tests.browser.ui import (
    DANA,
    MIA,
    connections,
    contacts_once,
    make_card_from_home,
    name_input,
    offline_mark,
    outbox_list,
    outbox_records,
    service_worker_controls,
)

# What server/web/errors.py answers an htmx POST while the database is away (_flash.html).
FLASH_503 = (
    '<div class="notice bad" role="alert"><strong>Back in a moment.</strong> We can\'t reach our'
    " database right now. Nothing you did was lost: please try again in a moment.</div>"
)
PROXY_502 = (
    "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
)
KEPT = "Kept on this phone:"
NOTHING_SENT = "nothing was sent"
# A thumb's double tap: two taps this far apart, not two clicks in one tick.
DOUBLE_TAP_S = 0.15
# IndexedDB refusing to store anything (a full disk, a browser that allows it no room).
STORAGE_REFUSED = """IDBObjectStore.prototype.put = function () {
  throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
};"""


@pytest.fixture
async def blocking_phone_page(browser: Browser, live_server: str) -> AsyncIterator[NewPage]:
    """Phones that run no service worker, as in test_tap_no_answer: the venue's network here
    is a route, which Playwright cannot be sure to see with a service worker in charge."""
    async with phones(browser, live_server) as make:

        async def make_blocking(**options: Any) -> Page:
            return await make(service_workers="block", **options)

        yield make_blocking


class Answers:
    """Answers a form's POST with ``status`` and ``body`` (the headers of errors.py's answer
    to htmx when ``ours``), after handing it to the server if ``reached``: a proxy that gave up
    on an answer that was coming. Keeps what was sent."""

    def __init__(self, status: int, body: str, *, ours: bool, reached: bool = False) -> None:
        self.status, self.body, self.ours, self.reached = status, body, ours, reached
        self.sent: list[dict[str, list[str]]] = []

    async def __call__(self, route: Route) -> None:
        if route.request.method != "POST":
            await route.continue_()
            return
        self.sent.append(parse_qs(route.request.post_data or ""))
        if self.reached:
            await route.fetch()
        headers = {"content-type": "text/html; charset=utf-8"}
        if self.ours:
            headers |= {
                "retry-after": "5",
                "HX-Retarget": "#flash",
                "HX-Reswap": "innerHTML show:#flash:top",
                "HX-Reselect": ".notice",
            }
        await route.fulfill(status=self.status, headers=headers, body=self.body)


def said(page: Page, text: str) -> Locator:
    """A live region (role=status) saying ``text``: what a screen reader hears."""
    return page.get_by_role("status").filter(has_text=text)


async def test_a_guest_saved_before_a_proxys_502_is_kept_and_saved_once(
    blocking_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana = await dana_on_tap(blocking_phone_page)
    proxy = Answers(502, PROXY_502, ours=False, reached=True)
    await dana.context.route("**/tap/guest", proxy)

    form = await fill_omar(dana)
    await form.get_by_role("button", name="Save their details").tap()
    # Kept under the key the POST went with: the server answers the copy as it did the POST.
    await expect(outbox_list(dana)).to_contain_text(f"Swapped with {OMAR}.")
    await expect(said(dana, f"Swapped with {OMAR}.")).to_be_in_viewport()
    [record] = await outbox_records(dana)
    [sent] = proxy.sent
    assert sent["key"] == [record["key"]], (sent, record)
    await expect(name_input(form)).to_have_value("")
    await expect(dana.get_by_text("502 Bad Gateway")).to_have_count(0)
    assert await omars(pool) == 1
    await contacts_once(dana, OMAR)
    assert await connections(pool, DANA.name, OMAR) == 1


async def test_a_code_answered_back_in_a_moment_is_kept_and_swaps_once_reachout_answers(
    blocking_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana, mia = await two_phones_on_tap(blocking_phone_page)
    dana_code = await my_code(dana)
    away = Answers(503, FLASH_503, ours=True)
    await mia.context.route("**/tap/code/enter", away)
    await mia.context.route("**/sync/actions", no_answer)
    await says_online(mia)

    await type_code(mia, dana_code)
    kept = said(mia, f"{KEPT} Code {dana_code}.")
    await expect(kept).to_be_in_viewport()
    await expect(kept).to_contain_text("Reachout didn't answer just now")
    await expect(outbox_list(mia)).to_contain_text(f"Code {dana_code} - Waiting for a connection")
    await expect(code_form(mia).get_by_label("Their code")).to_have_value("")
    [record] = await outbox_records(mia)
    [sent] = away.sent
    assert sent["key"] == [record["key"]], (sent, record)

    await mia.context.unroute("**/sync/actions")
    await expect(said(mia, f"Swapped with {DANA.name}.")).to_be_visible(timeout=RETRIED_WITHIN_MS)
    assert await connections(pool, MIA.name, DANA.name) == 1
    assert await connections(pool, DANA.name, MIA.name) == 1


async def test_a_guest_saved_offline_is_said_where_the_person_is(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    """On a 360x740 phone the list of swaps waiting is above, out of view: what was kept is
    said below the button, in a live region, and so is what became of it."""
    dana = await offline_on_tap(new_phone_page)
    form = await fill_omar(dana)
    await form.get_by_role("button", name="Save their details").tap()
    kept = said(dana, f"{KEPT} Details of {OMAR}.")
    await expect(kept).to_be_in_viewport()
    await expect(kept).to_contain_text("It goes as soon as you're online.")
    await expect(name_input(form)).to_have_value("")

    await dana.context.set_offline(False)
    await expect(said(dana, f"Swapped with {OMAR}.")).to_be_visible()
    assert await connections(pool, DANA.name, OMAR) == 1


async def test_a_code_kept_offline_that_fails_says_so_next_to_the_form(
    new_phone_page: NewPage,
) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    await open_tap(dana)
    nobodys = other_code(await my_code(dana))
    await service_worker_controls(dana)
    await dana.context.set_offline(True)
    await expect(offline_mark(dana)).to_be_visible()

    await type_code(dana, nobodys)
    await expect(said(dana, f"{KEPT} Code {nobodys}.")).to_be_in_viewport()
    await dana.context.set_offline(False)
    failed = said(dana, f"Not swapped: Code {nobodys}.")
    await expect(failed).to_contain_text(codes.WRONG)
    # Dead within minutes, or someone else's by now: asked for anew, not typed again.
    await expect(failed).to_contain_text("ask them for a fresh code.")
    await expect(failed).not_to_contain_text("Type again")


async def test_a_real_double_tap_offline_keeps_one_swap_and_shows_no_error(
    new_phone_page: NewPage,
) -> None:
    """The first tap keeps the form and empties it within milliseconds; the second, 150 ms
    later, found it empty: "Please enter their name." (or "A code is 6 digits."), focus taken."""
    dana = await offline_on_tap(new_phone_page)
    swap = code_form(dana).get_by_role("button", name="Swap", exact=True)
    await code_form(dana).get_by_label("Their code").fill("123456")
    await swap.click()
    await asyncio.sleep(DOUBLE_TAP_S)
    await swap.click()

    form = await guest_form(dana)
    await name_input(form).fill(OMAR)
    await form.get_by_label("Email", exact=True).fill("omar@example.com")
    save = form.get_by_role("button", name="Save their details")
    await save.click()
    await asyncio.sleep(DOUBLE_TAP_S)
    await save.click()

    await expect(outbox_list(dana)).to_contain_text(f"Details of {OMAR} - Waiting for a connection")
    await asyncio.sleep(0.5)  # what a second tap would have said by now
    assert await dana.get_by_role("alert").all_inner_texts() == []
    await expect(dana.locator("[aria-invalid=true]")).to_have_count(0)
    assert len(await outbox_records(dana)) == 2


async def test_a_swap_the_phone_cannot_keep_says_nothing_was_sent(
    blocking_phone_page: NewPage,
) -> None:
    dana = await blocking_phone_page()
    await make_card_from_home(dana, DANA)
    await dana.add_init_script(STORAGE_REFUSED)
    await open_tap(dana)
    await dana.context.set_offline(True)
    await expect(offline_mark(dana)).to_be_visible()

    await type_code(dana, "123456")
    await expect(dana.get_by_text(NOTHING_SENT)).to_be_visible()
    await expect(code_form(dana).get_by_label("Their code")).to_have_value("123456")
    await expect(dana.get_by_text(KEPT)).to_have_count(0)
