"""The Tap screen's forms on venue Wi-Fi that says it is online and carries nothing (a captive
portal, a network that drops mid-request): what was typed waits in the outbox, as it does
offline, and is sent once the network works; a POST that did reach the server, only its answer
lost, is no second contact when its queued copy is sent."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import asyncpg
import pytest
from playwright.async_api import Browser, Error, Locator, Page, Route, expect

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, NewPage, phones
from tests.browser.test_tap import (
    code_form,
    guest_form,
    my_code,
    open_tap,
    two_phones_on_tap,
    type_code,
)
from tests.browser.ui import (
    DANA,
    MIA,
    connections,
    contacts_once,
    make_card_from_home,
    name_input,
    outbox_list,
    outbox_records,
)
from tests.limit_counts import hits

OMAR = "Omar Haddad"
ZOE = "Zo\u00eb Ndiaye"
# What app.js says of a request that found no network: untrue of what the outbox kept.
NOTHING_SENT = "nothing was sent"
# The outbox tries again 5 s after a try that found no network, then less often.
RETRIED_WITHIN_MS = 15_000
# The server's address on a venue's LAN, by a name: not localhost, so no secure context.
LAN_NAME = "reachout.lan"


async def no_answer(route: Route) -> None:
    """The request never reaches the server: venue Wi-Fi with nothing behind it."""
    await route.abort("internetdisconnected")


class AnswerLost:
    """The request reaches the server, which does it; its answer never comes back."""

    def __init__(self) -> None:
        self.sent: list[dict[str, list[str]]] = []

    async def __call__(self, route: Route) -> None:
        self.sent.append(parse_qs(route.request.post_data or ""))
        response = await route.fetch()
        assert response.status in (200, 204, 303), response.status
        await route.abort("connectionreset")


async def says_online(page: Page) -> None:
    assert await page.evaluate("() => navigator.onLine"), "the phone thinks it is online"


async def fill_omar(page: Page) -> Locator:
    form = await guest_form(page)
    await name_input(form).fill(OMAR)
    await form.get_by_label("Email", exact=True).fill("omar@example.com")
    return form


async def omars(pool: asyncpg.Pool) -> int:
    count: int = await pool.fetchval("SELECT count(*) FROM cards WHERE name = $1", OMAR)
    return count


@pytest.fixture
async def new_phone_page(browser: Browser, live_server: str) -> AsyncIterator[NewPage]:
    """Phones that run no service worker. The venue's Wi-Fi here is a route, which Playwright
    cannot be sure to see with a service worker in charge (a request now and then reached the
    server unseen on a loaded machine); what these tests assert is the page's own outbox and
    its tries again, which work alike without one (the plain-http test below has none)."""
    async with phones(browser, live_server) as make:

        async def make_blocking(**options: Any) -> Page:
            return await make(service_workers="block", **options)

        yield make_blocking


async def dana_on_tap(new_phone_page: NewPage) -> Page:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    await open_tap(dana)
    return dana


async def test_a_code_that_found_no_network_waits_and_swaps_once_the_network_works(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana, mia = await two_phones_on_tap(new_phone_page)
    dana_code = await my_code(dana)
    await mia.context.route("**/tap/code/enter", no_answer)
    await mia.context.route("**/sync/actions", no_answer)
    await says_online(mia)

    await type_code(mia, dana_code)
    await expect(outbox_list(mia)).to_contain_text(f"Code {dana_code} - Waiting for a connection")
    await expect(code_form(mia).get_by_label("Their code")).to_have_value("")
    await expect(mia.get_by_text(NOTHING_SENT)).to_have_count(0)
    [record] = await outbox_records(mia)
    assert (record["kind"], record["payload"]) == ("code", {"code": dana_code}), record
    assert await connections(pool, MIA.name, DANA.name) == 0

    # The Wi-Fi works again, with no "online" event (it never said offline): the page tries
    # again by itself.
    await mia.context.unroute("**/tap/code/enter")
    await mia.context.unroute("**/sync/actions")
    await expect(outbox_list(mia)).to_contain_text(
        f"Swapped with {DANA.name}.", timeout=RETRIED_WITHIN_MS
    )
    await contacts_once(mia, DANA.name)
    await contacts_once(dana, MIA.name)
    assert await connections(pool, MIA.name, DANA.name) == 1
    assert await connections(pool, DANA.name, MIA.name) == 1


async def test_guest_details_that_found_no_network_are_kept_and_saved_once(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana = await dana_on_tap(new_phone_page)
    await dana.context.route("**/tap/guest", no_answer)
    await says_online(dana)

    form = await fill_omar(dana)
    await form.get_by_role("button", name="Save their details").tap()
    await expect(outbox_list(dana)).to_contain_text(f"Swapped with {OMAR}.")
    await expect(outbox_list(dana).get_by_role("link", name=f"Open {OMAR}")).to_be_visible()
    await expect(name_input(form)).to_have_value("")  # ready for the next guest
    await expect(dana.get_by_text(NOTHING_SENT)).to_have_count(0)
    [record] = await outbox_records(dana)
    assert record["status"] == "done", record
    await contacts_once(dana, OMAR)
    assert await omars(pool) == 1
    assert await connections(pool, DANA.name, OMAR) == 1


async def test_a_guest_saved_whose_answer_was_lost_is_saved_once(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    """Typed with spaces around, and an accent typed as a separate mark: the key stands for
    exactly what was sent, so the queued copy is the same swap, not "other details"."""
    dana = await dana_on_tap(new_phone_page)
    lost = AnswerLost()
    await dana.context.route("**/tap/guest", lost)

    form = await guest_form(dana)
    await name_input(form).fill("  Zoe\u0308 Ndiaye ")
    await form.get_by_label("Email", exact=True).fill("zoe@example.com")
    await form.get_by_role("button", name="Save their details").tap()
    # The queued copy, under the key the lost POST was sent with, gets that POST's answer.
    await expect(outbox_list(dana)).to_contain_text(f"Swapped with {ZOE}.")
    [record] = await outbox_records(dana)
    [sent] = lost.sent
    assert sent["key"] == [record["key"]], (sent, record)
    assert record["payload"]["name"] == "Zoe\u0308 Ndiaye", record
    assert record["status"] == "done", record
    await contacts_once(dana, ZOE)
    assert await connections(pool, DANA.name, ZOE) == 1


async def test_a_code_swapped_whose_answer_was_lost_swaps_once(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana, mia = await two_phones_on_tap(new_phone_page)
    dana_code = await my_code(dana)
    lost = AnswerLost()
    await mia.context.route("**/tap/code/enter", lost)

    await type_code(mia, dana_code)
    await expect(outbox_list(mia)).to_contain_text(f"Swapped with {DANA.name}.")
    [record] = await outbox_records(mia)
    assert lost.sent[0]["key"] == [record["key"]]
    await contacts_once(mia, DANA.name)
    await contacts_once(dana, MIA.name)
    assert await connections(pool, MIA.name, DANA.name) == 1
    assert await hits(pool, bucket="account-code-misses") == 0, "the copy was no guess"


async def test_guest_details_with_no_answer_in_time_are_kept_and_saved_once(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    """A network too slow to wait for: the server saves the guest, the page gives up on the
    answer and keeps the details; sent again, they are the same guest."""
    dana = await dana_on_tap(new_phone_page)
    handled = asyncio.Event()
    answer_now = asyncio.Event()

    async def slow(route: Route) -> None:
        response = await route.fetch()
        handled.set()
        await answer_now.wait()
        with contextlib.suppress(Error):  # given up on by the page
            await route.fulfill(response=response)

    await dana.context.route("**/tap/guest", slow)
    form = await fill_omar(dana)
    await form.get_by_role("button", name="Save their details").tap()
    await asyncio.wait_for(handled.wait(), 5)
    assert await omars(pool) == 1
    await expect(outbox_list(dana)).to_contain_text(f"Swapped with {OMAR}.", timeout=15_000)
    answer_now.set()
    await expect(name_input(form)).to_have_value("")
    await contacts_once(dana, OMAR)
    assert await omars(pool) == 1


@pytest.fixture
async def lan_phone_page(browser: Browser, live_server: str) -> AsyncIterator[NewPage]:
    """Phones that open the server by a LAN name over plain http, as at a venue where it runs
    on a laptop: no secure context, so no ``crypto.randomUUID`` (nor a service worker)."""
    port = urlsplit(live_server).port
    chromium = await browser.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {LAN_NAME} 127.0.0.1"],
    )
    try:
        async with phones(chromium, f"http://{LAN_NAME}:{port}") as make:
            yield make
    finally:
        await chromium.close()


async def test_on_plain_http_a_code_that_found_no_network_still_waits_and_swaps_once(
    lan_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana, mia = await two_phones_on_tap(lan_phone_page)
    assert not await mia.evaluate("() => window.isSecureContext")
    dana_code = await my_code(dana)
    sent: list[dict[str, list[str]]] = []

    async def lost(route: Route) -> None:
        sent.append(parse_qs(route.request.post_data or ""))
        await no_answer(route)

    await mia.context.route("**/tap/code/enter", lost)
    await mia.context.route("**/sync/actions", no_answer)

    await type_code(mia, dana_code)
    await expect(outbox_list(mia)).to_contain_text(f"Code {dana_code} - Waiting for a connection")
    [record] = await outbox_records(mia)
    # Sent with a key, and kept under it: had it reached us, the copy would be the same swap.
    assert [sent[0]["key"]] == [[record["key"]]], (sent, record)

    await mia.context.unroute("**/tap/code/enter")
    await mia.context.unroute("**/sync/actions")
    await expect(outbox_list(mia)).to_contain_text(
        f"Swapped with {DANA.name}.", timeout=RETRIED_WITHIN_MS
    )
    await contacts_once(mia, DANA.name)
    assert await connections(pool, MIA.name, DANA.name) == 1
    assert await connections(pool, DANA.name, MIA.name) == 1
