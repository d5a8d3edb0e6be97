"""What a screen reader hears on Scan: the "Swap with Dana Lee?" that a decode brings up is
focused, focus stays in it while the swap is on its way, and goes on to "Scan another code"
when the swap could not go."""

from __future__ import annotations

import asyncio

from playwright.async_api import Page, expect

from tests.browser.conftest import NewPage
from tests.browser.network_proxy import Sent, network_proxy
from tests.browser.test_scan import dana_and_her_link, heading, take_photo
from tests.browser.ui import DANA, MIA, make_card_from_home

QUESTION = f"Swap with {DANA.name}?"


async def mia_has_scanned_dana(new_phone_page: NewPage, **options: object) -> Page:
    _dana, link = await dana_and_her_link(new_phone_page)
    mia = await new_phone_page(**options)  # no camera: a photo of Dana's QR
    await make_card_from_home(mia, MIA)
    await mia.goto("/scan")
    await expect(heading(mia)).to_be_visible()
    await take_photo(mia, link)
    return mia


async def test_the_question_is_focused_and_keeps_focus_while_swapping(
    new_phone_page: NewPage,
) -> None:
    # Slow Wi-Fi: the swap takes a while. Held on the network (network_proxy): `page.route`
    # does not see the swap's request when the service worker sends it.
    release = asyncio.Event()
    slow_wifi = False

    async def slow(sent: Sent) -> bytes | None:
        if slow_wifi and sent.path == "/sync/actions":
            await release.wait()
        return None

    async with network_proxy(slow) as proxy:
        try:
            mia = await mia_has_scanned_dana(new_phone_page, proxy={"server": proxy})
            question = mia.get_by_role("heading", name=QUESTION)
            await expect(question).to_be_focused()

            slow_wifi = True
            await mia.get_by_role("button", name="Swap", exact=True).click()
            await expect(mia.get_by_role("button", name="Swapping…")).to_be_disabled()
            await expect(question).to_be_focused()  # not dropped to the page with the button
            release.set()
            await expect(mia.get_by_role("heading", level=1, name=DANA.name)).to_be_visible()
        finally:
            release.set()  # a try held still would keep the proxy from stopping


async def test_a_swap_that_could_not_go_moves_focus_to_scan_another(
    new_phone_page: NewPage,
) -> None:
    # The swap's request dropped on the network (network_proxy): `page.route` does not see it
    # when the service worker sends it, and the swap then went through.
    async def no_network(sent: Sent) -> bytes | None:
        return b"" if sent.path == "/sync/actions" else None

    async with network_proxy(no_network) as proxy:
        mia = await mia_has_scanned_dana(new_phone_page, proxy={"server": proxy})
        await expect(mia.get_by_role("heading", name=QUESTION)).to_be_focused()
        await mia.get_by_role("button", name="Swap", exact=True).click()
        await expect(mia.get_by_role("status").filter(has_text="No network")).to_be_visible()
        again = mia.get_by_role("button", name="Scan another code")
        await expect(again).to_be_focused()
        await again.click()  # it goes with what it offered: focus to the top, not the body
        await expect(heading(mia)).to_be_focused()
