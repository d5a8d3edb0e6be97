"""Scanning someone's QR in the app, with the camera or a photo, online and offline.

Mia's phone is its own Chromium whose only camera (a fake one, playing a Y4M file)
sees Dana's QR code. Headless Linux Chromium has no ``BarcodeDetector``, so the page
decodes the frames with the vendored jsQR. Offline, the swap waits in IndexedDB; it is
sent by the service worker's Background Sync (headless Chromium never fires it by
itself, so the test fires it with the DevTools protocol), or by the page when the
network returns or on the next open.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
from playwright.async_api import Browser, Locator, Page, expect

from tests.browser.camera import qr_frame, qr_video
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, CameraPhone, NewPage, phone_context
from tests.browser.network_proxy import Sent, network_proxy
from tests.browser.ui import (
    DANA,
    MIA,
    ServiceWorkerControl,
    all_connections,
    connections,
    contacts_once,
    make_card_from_home,
    offline_mark,
    outbox_list,
    outbox_records,
    post_action,
    service_worker_controls,
    share_link,
)
from tests.waiting import eventually

PENDING = re.compile(r"Card scanned at \d\d:\d\d - Waiting for a connection")
SWAPPED = f"Swapped with {DANA.name}."


def heading(page: Page) -> Locator:
    return page.get_by_role("heading", level=1, name="Scan their code")


async def confirm_swap(page: Page, question: str = f"Swap with {DANA.name}?") -> None:
    """A scanned card asks first: "Swap with Dana Lee?", then the person taps Swap."""
    await expect(page.get_by_role("heading", name=question)).to_be_visible()
    await page.get_by_role("button", name="Swap", exact=True).click()


async def dana_and_her_link(new_phone_page: NewPage) -> tuple[Page, str]:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    return dana, await share_link(dana)


async def mia_scans_offline(camera_phone: CameraPhone, live_server: str, link: str) -> Page:
    """Mia, whose camera sees ``link``, opens Scan once online with the camera still off,
    then at the venue with no network opens it again and points the camera at Dana's QR:
    the swap is kept on her phone, pending. Returns her phone, on the Scan screen."""
    mia = await camera_phone(link)
    await make_card_from_home(mia, MIA)
    await service_worker_controls(mia)
    await mia.goto("/scan")
    await expect(heading(mia)).to_be_visible()
    await expect(mia.get_by_text("The camera is blocked for this site")).to_be_visible()
    await service_worker_controls(mia)

    await mia.context.set_offline(True)
    await mia.context.grant_permissions(["camera"], origin=live_server)
    response = await mia.reload()
    assert response is not None and response.from_service_worker, "not the copy the phone kept"
    await expect(heading(mia)).to_be_visible()
    await expect(offline_mark(mia)).to_be_visible()
    await expect(mia.get_by_label("Camera", exact=True)).to_be_visible()
    await confirm_swap(mia, "Swap with this person?")  # no network to look up whose card
    await expect(outbox_list(mia)).to_contain_text(PENDING)
    # Kept before it is tried: only once the try has failed is it waiting for the network
    # (back online sooner, the try itself gets through and the page opens the contact).
    await expect(
        mia.get_by_text("No network: the swap is kept on this phone and sent when it's back.")
    ).to_be_visible()
    return mia


async def one_pending_scan(page: Page, token: str) -> dict[str, Any]:
    records = await outbox_records(page)
    assert len(records) == 1, records
    [record] = records
    assert record["kind"] == "scan", record
    assert record["payload"] == {"token": token}, record
    assert record["status"] == "pending", record
    return record


async def connected_once_both_ways(dana: Page, mia: Page, pool: asyncpg.Pool) -> None:
    await contacts_once(mia, DANA.name)
    await contacts_once(dana, MIA.name)
    assert await connections(pool, MIA.name, DANA.name) == 1
    assert await connections(pool, DANA.name, MIA.name) == 1
    assert await all_connections(pool) == 2


@contextlib.asynccontextmanager
async def camera_phone_behind(
    browser: Browser, live_server: str, tmp_path: Path, proxy: str
) -> AsyncIterator[CameraPhone]:
    """``camera_phone``, the phone going through ``proxy`` (network_proxy)."""
    launched: list[Browser] = []

    async def make(text: str) -> Page:
        video = qr_video(tmp_path / f"camera-{len(launched)}.y4m", text)
        chromium = await browser.browser_type.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                *CHROMIUM_ARGS,
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ],
        )
        launched.append(chromium)
        context = await phone_context(chromium, base_url=live_server, proxy={"server": proxy})
        return await context.new_page()

    try:
        yield make
    finally:
        for chromium in launched:
            await chromium.close()


def sent_by_the_page(sent: Sent) -> bool:
    """Chromium sends the User-Agent client hints (Sec-CH-UA) with a page's requests, not
    with its service worker's: the proxy's only way to tell the two apart."""
    return "sec-ch-ua" in sent.headers


async def test_scan_offline_then_background_sync_connects_once_even_replayed(
    new_phone_page: NewPage,
    browser: Browser,
    live_server: str,
    tmp_path: Path,
    pool: asyncpg.Pool,
) -> None:
    # The network comes back, but the page's own try right then does not get through
    # (the venue's Wi-Fi is still flaky): only the service worker's sync gets it there.
    # Dropped on the network (network_proxy): ``context.route`` let a page's try by now and
    # then with the service worker in charge (on a loaded machine), and the swap got through
    # early.
    refused: list[Any] = []
    flaky_wifi = False

    async def flaky(sent: Sent) -> bytes | None:
        if not flaky_wifi or sent.path != "/sync/actions" or not sent_by_the_page(sent):
            return None  # the service worker's sync, asked for below, goes through
        refused.append(json.loads(sent.body))
        return b""

    async with (
        network_proxy(flaky) as proxy,
        camera_phone_behind(browser, live_server, tmp_path, proxy) as camera_phone,
    ):
        dana, link = await dana_and_her_link(new_phone_page)
        token = link.rsplit("/", 1)[1]
        mia = await mia_scans_offline(camera_phone, live_server, link)
        await expect(outbox_list(mia).get_by_role("listitem")).to_have_count(1)  # one swap
        record = await one_pending_scan(mia, token)
        assert await all_connections(pool) == 0

        control = await ServiceWorkerControl.attach(mia, live_server)
        flaky_wifi = True
        await mia.context.set_offline(False)
        await expect(offline_mark(mia)).to_have_count(0)

        async def page_tried() -> bool:
            return bool(refused)

        await eventually(page_tried, "the page did not try to send the swap when online")
        assert all(attempt["key"] == record["key"] for attempt in refused), refused
        await expect(outbox_list(mia)).to_have_text(PENDING)
        assert await all_connections(pool) == 0

        await control.sync()
        await expect(outbox_list(mia)).to_contain_text(SWAPPED)
        await expect(
            outbox_list(mia).get_by_role("link", name=f"Open {DANA.name}")
        ).to_have_attribute("href", re.compile(r"^/contacts/\d+"))
        [done] = await outbox_records(mia)
        assert (done["key"], done["status"]) == (record["key"], "done"), done
        flaky_wifi = False

        # The same swap sent again (a replay): the same answer, and still one connection.
        again = await post_action(mia, record)
        assert again["status"] == 200, again
        assert again["body"]["status"] == "done", again
        assert again["body"]["message"] == SWAPPED, again
        assert again["body"]["url"] == done["url"], again
        await connected_once_both_ways(dana, mia, pool)


async def test_scan_offline_is_sent_on_next_open_after_the_app_was_closed(
    new_phone_page: NewPage, camera_phone: CameraPhone, live_server: str, pool: asyncpg.Pool
) -> None:
    dana, link = await dana_and_her_link(new_phone_page)
    mia = await mia_scans_offline(camera_phone, live_server, link)
    record = await one_pending_scan(mia, link.rsplit("/", 1)[1])
    context = mia.context
    await mia.close()  # the app is closed with the swap still queued

    await context.set_offline(False)
    assert await all_connections(pool) == 0  # nobody sent it: no page, no sync event
    await context.clear_permissions()  # the camera is not pointed at Dana again
    mia = await context.new_page()
    await mia.goto("/scan")
    await expect(outbox_list(mia)).to_contain_text(SWAPPED)
    [done] = await outbox_records(mia)
    assert (done["key"], done["status"]) == (record["key"], "done"), done
    await connected_once_both_ways(dana, mia, pool)


async def test_scan_offline_is_sent_when_the_network_returns(
    new_phone_page: NewPage, camera_phone: CameraPhone, live_server: str, pool: asyncpg.Pool
) -> None:
    dana, link = await dana_and_her_link(new_phone_page)
    mia = await mia_scans_offline(camera_phone, live_server, link)
    await one_pending_scan(mia, link.rsplit("/", 1)[1])

    await mia.context.set_offline(False)
    await expect(offline_mark(mia)).to_have_count(0)
    await expect(outbox_list(mia)).to_contain_text(SWAPPED)
    # The status above no longer says "No network": it says the swap went.
    status = mia.locator("[data-scan-status]")
    await expect(status).to_contain_text("(sent now that the network is back)")
    await expect(status).not_to_contain_text("No network")
    await connected_once_both_ways(dana, mia, pool)


async def test_scan_online_swaps_once_confirmed(
    new_phone_page: NewPage, camera_phone: CameraPhone, live_server: str, pool: asyncpg.Pool
) -> None:
    dana, link = await dana_and_her_link(new_phone_page)
    mia = await camera_phone(link)
    await make_card_from_home(mia, MIA)
    await mia.context.grant_permissions(["camera"], origin=live_server)
    await mia.goto("/scan")
    await confirm_swap(mia)
    await expect(mia).to_have_url(re.compile(r"/contacts/\d+\?notice=swapped$"))
    await expect(mia.get_by_role("heading", level=1, name=DANA.name)).to_be_visible()
    await connected_once_both_ways(dana, mia, pool)


def png_of_qr(text: str) -> bytes:
    out = io.BytesIO()
    qr_frame(text).save(out, format="PNG")
    return out.getvalue()


async def take_photo(page: Page, text: str) -> None:
    """Where the camera cannot be opened: "Take a photo of the code", of a QR of ``text``."""
    await page.get_by_label("Take a photo of the code").set_input_files(
        {"name": "photo.png", "mimeType": "image/png", "buffer": png_of_qr(text)}
    )


async def test_photo_of_a_card_swaps(new_phone_page: NewPage, pool: asyncpg.Pool) -> None:
    dana, link = await dana_and_her_link(new_phone_page)
    mia = await new_phone_page()  # no camera on this phone
    await make_card_from_home(mia, MIA)
    await mia.goto("/scan")
    await expect(heading(mia)).to_be_visible()
    await take_photo(mia, link)
    await confirm_swap(mia)
    await expect(mia).to_have_url(re.compile(r"/contacts/\d+\?notice=swapped$"))
    await expect(mia.get_by_role("heading", level=1, name=DANA.name)).to_be_visible()
    await connected_once_both_ways(dana, mia, pool)


async def test_a_double_tap_on_swap_swaps_once_and_opens_the_contact(
    new_phone_page: NewPage, pool: asyncpg.Pool
) -> None:
    """On slow Wi-Fi people tap again: the second tap must not land on whatever the page
    moved up under the thumb ("Show my QR code instead", once)."""
    dana, link = await dana_and_her_link(new_phone_page)
    mia = await new_phone_page()
    await make_card_from_home(mia, MIA)
    await mia.goto("/scan")
    await expect(heading(mia)).to_be_visible()
    await take_photo(mia, link)
    await expect(mia.get_by_role("heading", name=f"Swap with {DANA.name}?")).to_be_visible()
    await mia.get_by_role("button", name="Swap", exact=True).dblclick()
    await expect(mia).to_have_url(re.compile(r"/contacts/\d+\?notice=swapped$"))
    await expect(mia.get_by_role("heading", level=1, name=DANA.name)).to_be_visible()
    await connected_once_both_ways(dana, mia, pool)


async def test_my_own_code_says_so_and_offers_no_swap(new_phone_page: NewPage) -> None:
    dana, link = await dana_and_her_link(new_phone_page)
    await dana.goto("/scan")
    await expect(heading(dana)).to_be_visible()
    await take_photo(dana, link)
    own = "This is your own card. Show this QR code to someone else to swap details."
    await expect(dana.get_by_text(own)).to_be_visible()
    await expect(dana.get_by_role("button", name="Swap", exact=True)).to_be_hidden()
    await expect(dana.get_by_role("button", name="Scan another code")).to_be_visible()


async def test_other_codes_are_shown_not_followed(
    new_phone_page: NewPage, live_server: str, pool: asyncpg.Pool
) -> None:
    mia = await new_phone_page()
    await make_card_from_home(mia, MIA)
    await mia.goto("/scan")
    await expect(heading(mia)).to_be_visible()
    not_a_card = mia.get_by_text("This QR code isn't a Reachout card.")

    menu = "https://example.com/menu?table=4"
    await take_photo(mia, menu)
    await expect(not_a_card).to_be_visible()
    await expect(mia.locator("code").filter(has_text=menu)).to_have_text(menu)
    open_link = mia.get_by_role("link", name="Open this link")
    await expect(open_link).to_have_attribute("href", menu)
    rel = set((await open_link.get_attribute("rel") or "").split())
    assert {"noopener", "noreferrer", "nofollow"} <= rel, rel
    await expect(mia).to_have_url(re.compile(r"/scan$"))

    wifi = "WIFI:S:Venue guests;T:WPA;P:coffee123;;"
    await take_photo(mia, wifi)
    await expect(mia.locator("code").filter(has_text="WIFI:")).to_have_text(wifi)
    await expect(not_a_card).to_be_visible()
    await expect(open_link).to_be_hidden()

    # Something that looks like a card link but is not one (a token of the wrong length).
    fake = f"{live_server}/c/{'a' * 20}"
    await take_photo(mia, fake)
    await expect(mia.locator("code").filter(has_text=fake)).to_have_text(fake)
    await expect(not_a_card).to_be_visible()
    assert await outbox_records(mia) == []
    assert await all_connections(pool) == 0


async def test_a_code_in_view_swaps_nothing_until_confirmed(
    new_phone_page: NewPage, camera_phone: CameraPhone, live_server: str, pool: asyncpg.Pool
) -> None:
    """A poster or a screen behind someone shows Dana's QR: Mia's camera reads it, and Mia
    sees whose card it is and says no."""
    _dana, link = await dana_and_her_link(new_phone_page)
    mia = await camera_phone(link)
    await make_card_from_home(mia, MIA)
    await mia.context.grant_permissions(["camera"], origin=live_server)
    await mia.goto("/scan")
    confirm = mia.get_by_role("heading", name=f"Swap with {DANA.name}?")
    await expect(confirm).to_be_visible()
    await expect(mia.get_by_text(DANA.headline)).to_be_visible()
    await mia.wait_for_timeout(500)
    assert await all_connections(pool) == 0, "nothing before the tap"
    assert await outbox_records(mia) == []
    await mia.get_by_role("button", name="Not now").click()
    await expect(confirm).to_be_hidden()
    assert await all_connections(pool) == 0
