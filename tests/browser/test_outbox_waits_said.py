"""What a swap kept on this phone says of itself: one held back by a limit (429) says so in
Reachout's words, with when it goes again, not "no network"; one refused once back online
(a code, a scan) is said on whatever page is open when the phone allows no notifications,
until it is seen in its list."""

from __future__ import annotations

import json
import re

from playwright.async_api import expect

from server.swaps import rates
from server.swaps.visits import UNKNOWN
from server.tap import codes
from tests.browser.conftest import NewPage
from tests.browser.network_proxy import Sent, network_proxy
from tests.browser.test_offline_guest_kept import (
    KEPT,
    LISTEN_TO_WORKER,
    dana_on_tap_ready_for_offline,
)
from tests.browser.test_scan import confirm_swap, heading, take_photo
from tests.browser.test_scan_said import mia_has_scanned_dana
from tests.browser.test_tap import my_code, other_code, type_code
from tests.browser.ui import MIA, make_card_from_home, offline_mark, outbox_list, outbox_records
from tests.waiting import eventually

LIMIT = rates.SWAPS_PER_ACCOUNT.says.format(wait="in 40 minutes")
AT = r"Tries again by itself at \d\d:\d\d\."


def too_many() -> bytes:
    """/sync/actions's answer past a limit (server/swaps/routes.py sync_action)."""
    body = json.dumps({"status": "retry", "message": LIMIT, "retry_after": 2400}).encode()
    head = (
        "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\n"
        f"Retry-After: 2400\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode("latin-1") + body


def is_a_swap(sent: Sent) -> bool:
    """A queued swap sent, not the look-up of merged accounts (outbox.js adopt)."""
    return sent.path == "/sync/actions" and b'"key"' in sent.body


async def test_a_scan_held_back_by_a_limit_says_why_and_when_not_no_network(
    new_phone_page: NewPage,
) -> None:
    async def limited(sent: Sent) -> bytes | None:
        return too_many() if is_a_swap(sent) else None

    async with network_proxy(limited) as proxy:
        mia = await mia_has_scanned_dana(new_phone_page, proxy={"server": proxy})
        await confirm_swap(mia)
        status = mia.locator("[data-scan-status]")
        await expect(status).to_have_text(
            re.compile(
                rf"^Not swapped yet: {re.escape(LIMIT)} {AT} The swap is kept on this phone\.$"
            )
        )
        await expect(status).not_to_contain_text("No network")
        kept = outbox_list(mia).get_by_role("listitem")
        await expect(kept).to_have_text(
            re.compile(rf"^Card scanned at \d\d:\d\d - Waiting: {re.escape(LIMIT)} {AT}$")
        )
        [record] = await outbox_records(mia)
        assert record["status"] == "pending", record


async def test_a_code_refused_away_from_tap_is_said_on_the_page_open(
    new_phone_page: NewPage,
) -> None:
    """No notifications allowed: the page open says it, politely, with the way to Tap;
    once seen in Tap's list, no page says it again."""
    dana = await dana_on_tap_ready_for_offline(new_phone_page)
    nobodys = other_code(await my_code(dana))
    await dana.context.set_offline(True)
    await expect(offline_mark(dana)).to_be_visible()
    await type_code(dana, nobodys)
    await expect(dana.get_by_text(f"{KEPT} Code {nobodys}.")).to_be_visible()

    await dana.goto("/share")  # the page the phone kept
    await dana.context.set_offline(False)
    notice = dana.locator("#flash")
    await expect(notice).to_have_attribute("aria-live", "polite")
    said = dana.get_by_role("status").filter(has_text=f"Not swapped: Code {nobodys}.")
    await expect(said).to_have_text(f"Not swapped: Code {nobodys}. {codes.WRONG} See it on Tap")
    await said.get_by_role("link", name="See it on Tap").click()

    await expect(dana.get_by_role("heading", level=1, name="Tap to swap")).to_be_visible()
    code = outbox_list(dana).get_by_role("listitem").filter(has_text=f"Code {nobodys}")
    await expect(code).to_contain_text(f"Not swapped: {codes.WRONG}")

    async def told() -> bool:
        return all(r.get("told") for r in await outbox_records(dana))

    await eventually(told, "seen in Tap's list, the code was not marked told of")
    await dana.add_init_script(f"({LISTEN_TO_WORKER})()")
    await dana.goto("/contacts")

    async def worker_told() -> list[object] | None:
        heard = await dana.evaluate("() => window.toldByWorker")
        failed = [m.get("failed") for m in heard if m.get("type") == "outbox-changed"]
        return failed or None

    assert await eventually(worker_told, "the worker told the page nothing") == [[]]
    await expect(dana.locator("#flash")).not_to_contain_text("Not swapped")


async def test_a_scan_refused_away_from_scan_is_said_on_the_page_open(
    new_phone_page: NewPage, live_server: str
) -> None:
    # No network for the card's look-up and the swap (network_proxy: the service worker's
    # requests are seen too); pages load.
    venue_wifi_down = True

    async def down(sent: Sent) -> bytes | None:
        cut = sent.path.startswith("/c/") or sent.path == "/sync/actions"
        return b"" if venue_wifi_down and cut else None

    async with network_proxy(down) as proxy:
        mia = await new_phone_page(proxy={"server": proxy})
        await make_card_from_home(mia, MIA)
        await mia.goto("/scan")
        await expect(heading(mia)).to_be_visible()
        # A card link that opens no card (a mistyped or made-up one): refused once sent.
        await take_photo(mia, f"{live_server}/c/{'Q' * 38}")
        await confirm_swap(mia, "Swap with this person?")
        await expect(mia.locator("[data-scan-status]")).to_contain_text("No network")

        await mia.goto("/contacts")
        venue_wifi_down = False
        said = mia.get_by_role("status").filter(has_text="Not swapped: Card scanned at")
        await expect(said).to_have_text(
            re.compile(
                rf"^Not swapped: Card scanned at \d\d:\d\d\. {re.escape(UNKNOWN)} See it on Scan$"
            )
        )
        await expect(said.get_by_role("link", name="See it on Scan")).to_have_attribute(
            "href", "/scan"
        )
