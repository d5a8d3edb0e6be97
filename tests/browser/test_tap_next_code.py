"""The Tap screen at a crowded event, on venue Wi-Fi that says it is online and answers nothing:
the moment one code's swap is kept on the phone, the field is empty for the next person's code,
and what is typed then is neither swallowed nor erased when the first swap's late answer comes;
both swaps are made."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from playwright.async_api import Browser, Error, Page, Route, expect

from tests.browser.conftest import NewPage, phones
from tests.browser.test_tap import code_form, my_code, open_tap, two_phones_on_tap, type_code
from tests.browser.test_tap_no_answer import no_answer, says_online
from tests.browser.ui import (
    DANA,
    MIA,
    SAM,
    connections,
    contacts_once,
    make_card_from_home,
    outbox_list,
)

# What the next person in the queue has typed, not yet sent, when the first swap's answer comes.
NEXT_TYPED = "12"


@pytest.fixture
async def new_phone_page(browser: Browser, live_server: str) -> AsyncIterator[NewPage]:
    """Phones that run no service worker, as in test_tap_no_answer: the venue's Wi-Fi is a
    route, which Playwright cannot be sure to see with a service worker in charge."""
    async with phones(browser, live_server) as make:

        async def make_blocking(**options: Any) -> Page:
            return await make(service_workers="block", **options)

        yield make_blocking


class FirstTryHeld:
    """The outbox's first try reaches nothing for a while (Wi-Fi that answers late); it goes
    on when ``release`` is set. Every later try goes straight through."""

    def __init__(self) -> None:
        self.tries = 0
        self.out = asyncio.Event()
        self.release = asyncio.Event()

    async def __call__(self, route: Route) -> None:
        self.tries += 1
        if self.tries == 1:
            self.out.set()
            await self.release.wait()
        with contextlib.suppress(Error):  # given up on by the page, or the phone closed
            await route.continue_()


async def test_the_next_code_typed_while_a_swap_is_on_its_way_is_kept_and_both_swap(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    dana, mia = await two_phones_on_tap(new_phone_page)
    sam = await new_phone_page()
    await make_card_from_home(sam, SAM)
    await open_tap(sam)
    dana_code = await my_code(dana)
    sam_code = await my_code(sam)
    first = FirstTryHeld()
    await mia.context.route("**/tap/code/enter", no_answer)
    await mia.context.route("**/sync/actions", first)
    await says_online(mia)
    their_code = code_form(mia).get_by_label("Their code")

    try:
        await type_code(mia, dana_code)
        await asyncio.wait_for(first.out.wait(), 10)
        await expect(outbox_list(mia)).to_contain_text(
            f"Code {dana_code} - Waiting for a connection"
        )
        # Kept on the phone: the field is ready for the next person, Dana's swap still out.
        await expect(their_code).to_have_value("")

        await type_code(mia, sam_code)
        await expect(outbox_list(mia)).to_contain_text(f"Swapped with {SAM.name}.")
        await expect(their_code).to_have_value("")
        await their_code.fill(NEXT_TYPED)

        first.release.set()
        await expect(outbox_list(mia)).to_contain_text(f"Swapped with {DANA.name}.")
        # The late answer erased nothing typed since.
        await expect(their_code).to_have_value(NEXT_TYPED)
    finally:
        first.release.set()

    await contacts_once(mia, DANA.name)
    await contacts_once(mia, SAM.name)
    assert await connections(pool, MIA.name, DANA.name) == 1
    assert await connections(pool, MIA.name, SAM.name) == 1
