"""The installed app at a venue whose Wi-Fi says it is connected and reaches nothing: what the
phone shows from its saved copies says so, with when it was saved; a QR saved past the time it
works until says it no longer works; a proxy's 502/503/504 shows the saved copy; a phone signed
out where the browser ignores Clear-Site-Data (iOS before 17) keeps nothing of the account; and
the offline page says whether something sent may be lost or the page was never saved.

The dead Wi-Fi is ``network_proxy`` dropping every request (the service worker's too), so
``navigator.onLine`` stays true, as it does on such a network."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import NewPage
from tests.browser.network_proxy import Sent, network_proxy
from tests.browser.test_tap_said import PROXY_502
from tests.browser.ui import DANA, make_card_from_home, offline_mark, service_worker_controls

SAVED_AT = re.compile(r"^Offline - showing what this phone saved at \d{1,2}:\d{2}( [AP]M)?$")
EXPIRED = (
    "This code has expired. Open My QR online for a new one; "
    "meanwhile use Tap (a code) or scan theirs."
)
NOT_SAVED = "This page isn't saved on this phone; My QR and the pages you opened online are."
NOTHING_SAVED = re.compile(r"No pages are saved on this phone yet: sign in and open My QR")
MAY_NOT_HAVE_REACHED = "What you sent from here may not have reached Reachout"


class Venue:
    """The venue's Wi-Fi: passes everything on, until it reaches nothing (``dead``) or a proxy
    on the way answers every page with an error of its own (``gave_up``). With ``server``,
    Sign out's answer reaches the phone as a browser that ignores Clear-Site-Data (iOS before
    17) takes it."""

    def __init__(self, server: str = "") -> None:
        self.dead = False
        self.gave_up: bytes | None = None
        self.server = server

    async def answer(self, sent: Sent) -> bytes | None:
        if self.dead:
            return b""
        if self.server and (sent.method, sent.path) == ("POST", "/sign-out"):
            return await self.without_clear_site_data(sent)
        return self.gave_up

    async def without_clear_site_data(self, sent: Sent) -> bytes:
        skip = {"host", "content-length", "accept-encoding"}
        headers = {name: value for name, value in sent.headers.items() if name not in skip}
        async with httpx.AsyncClient(base_url=self.server) as client:
            got = await client.post(sent.path, headers=headers, content=sent.body)
        gone = {"clear-site-data", "content-length", "content-encoding", "transfer-encoding"}
        lines = [f"HTTP/1.1 {got.status_code} {got.reason_phrase}"]
        lines += [f"{k}: {v}" for k, v in got.headers.multi_items() if k.lower() not in gone]
        lines += [f"Content-Length: {len(got.content)}", "Connection: close", "", ""]
        return "\r\n".join(lines).encode("latin-1") + got.content


def proxy_error(status: int, reason: str) -> bytes:
    body = PROXY_502.replace("502 Bad Gateway", f"{status} {reason}")
    return (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/html\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n{body}"
    ).encode()


async def signed_in_with_kept_pages(new_phone_page: NewPage, proxy: str) -> Page:
    """Dana has made her card and opened My QR and Contacts online: the phone kept both."""
    dana = await new_phone_page(proxy={"server": proxy})
    await make_card_from_home(dana, DANA)
    await service_worker_controls(dana)
    await dana.reload()  # through the worker now: kept
    await dana.goto("/contacts")
    await expect(dana.get_by_role("heading", level=1, name="Contacts")).to_be_visible()
    await expect(offline_mark(dana)).to_have_count(0)
    return dana


async def test_a_saved_page_on_wifi_that_reaches_nothing_says_offline_and_when(
    new_phone_page: NewPage,
) -> None:
    venue = Venue()
    async with network_proxy(venue.answer) as proxy:
        dana = await signed_in_with_kept_pages(new_phone_page, proxy)
        venue.dead = True
        for path, heading in (("/share", DANA.name), ("/contacts", "Contacts")):
            response = await dana.goto(path)
            assert response is not None and response.from_service_worker
            await expect(dana.get_by_role("heading", level=1, name=heading)).to_be_visible()
            assert await dana.evaluate("navigator.onLine")
            await expect(offline_mark(dana)).to_have_text(SAVED_AT)
        # Back on a network that works: the page from the server, no mark.
        venue.dead = False
        await dana.reload()
        await expect(dana.get_by_role("heading", level=1, name="Contacts")).to_be_visible()
        await expect(offline_mark(dana)).to_have_count(0)


@pytest.mark.parametrize(
    ("status", "reason"),
    [(502, "Bad Gateway"), (503, "Service Unavailable"), (504, "Gateway Timeout")],
)
async def test_a_proxy_giving_up_shows_the_saved_copy_marked(
    new_phone_page: NewPage, status: int, reason: str
) -> None:
    venue = Venue()
    async with network_proxy(venue.answer) as proxy:
        dana = await signed_in_with_kept_pages(new_phone_page, proxy)
        venue.gave_up = proxy_error(status, reason)
        await dana.goto("/share")
        await expect(dana.get_by_role("heading", level=1, name=DANA.name)).to_be_visible()
        await expect(dana.locator("#qr svg")).to_be_visible()
        await expect(offline_mark(dana)).to_have_text(SAVED_AT)
        # A page never saved: the error page as it came, nothing better to show.
        await dana.goto("/followups")
        await expect(dana.get_by_role("heading", name=f"{status} {reason}")).to_be_visible()


async def test_my_qr_saved_past_its_time_says_it_has_expired(new_phone_page: NewPage) -> None:
    venue = Venue()
    async with network_proxy(venue.answer) as proxy:
        dana = await signed_in_with_kept_pages(new_phone_page, proxy)
        await dana.goto("/share")
        until = await dana.locator("time[datetime]").first.get_attribute("datetime")
        assert until is not None
        venue.dead = True
        # Still within its time: the saved QR is shown, and nothing said of it.
        await dana.reload()
        await expect(dana.locator("#qr svg")).to_be_visible()
        await expect(dana.locator("#flash")).to_be_empty()
        await expect(dana.get_by_label("Or send this link")).to_be_visible()

        # The next day at the venue, the network still dead.
        await dana.clock.set_system_time(datetime.fromisoformat(until) + timedelta(hours=9))
        response = await dana.reload()
        assert response is not None and response.from_service_worker
        await expect(dana.get_by_role("heading", level=1, name=DANA.name)).to_be_visible()
        await expect(dana.locator("#qr")).to_be_hidden()
        # Its link goes with it: nothing offers to copy, share or send what no longer works.
        await expect(dana.get_by_label("Or send this link")).to_be_hidden()
        await expect(dana.get_by_role("button", name="Copy link")).to_be_hidden()
        await expect(dana.get_by_role("button", name="Share…")).to_be_hidden()
        # Said in the page's polite status region.
        await expect(dana.locator("#flash[role=status][aria-live=polite]")).to_have_text(EXPIRED)


async def test_signed_out_where_clear_site_data_is_ignored_keeps_nothing_of_mine(
    new_phone_page: NewPage, live_server: str
) -> None:
    venue = Venue(live_server)
    async with network_proxy(venue.answer) as proxy:
        dana = await signed_in_with_kept_pages(new_phone_page, proxy)
        # A page anyone may open, opened signed in, forgets nothing: it says who is signed in.
        await dana.goto("/privacy")
        venue.dead = True
        await dana.goto("/share")
        await expect(dana.get_by_role("heading", level=1, name=DANA.name)).to_be_visible()
        venue.dead = False

        await dana.goto("/settings")
        await dana.get_by_role("button", name="Sign out of this device").tap()
        await expect(
            dana.get_by_role("heading", level=1, name="You are signed out")
        ).to_be_visible()
        await dana.wait_for_load_state("load")
        # Lent to someone at the venue, Wi-Fi dead: nothing of Dana's opens.
        venue.dead = True
        for path in ("/share", "/contacts", "/"):
            await dana.goto(path)
            await expect(
                dana.get_by_role("heading", level=1, name="You're offline")
            ).to_be_visible()
            await expect(dana.get_by_text(DANA.name)).to_have_count(0)
            # Nor does it promise pages saved here: none are now.
            await expect(dana.get_by_text(NOTHING_SAVED)).to_be_visible()
            await expect(dana.get_by_text(NOT_SAVED)).to_have_count(0)


async def test_the_offline_page_says_what_happened_to_a_page_or_a_form(
    new_phone_page: NewPage,
) -> None:
    venue = Venue()
    async with network_proxy(venue.answer) as proxy:
        dana = await signed_in_with_kept_pages(new_phone_page, proxy)
        await dana.goto("/share")
        venue.dead = True
        # A page never opened online: not saved, and nothing was sent.
        await dana.goto("/settings")
        await expect(dana.get_by_role("heading", level=1, name="You're offline")).to_be_visible()
        await expect(dana.get_by_text(NOT_SAVED)).to_be_visible()
        await expect(dana.get_by_text(MAY_NOT_HAVE_REACHED)).to_have_count(0)
        # A form sent: it may not have reached Reachout.
        await dana.go_back()
        await expect(dana.locator("#qr svg")).to_be_visible()
        await dana.get_by_role("button", name=re.compile(r"^Make a new code")).tap()
        await expect(dana.get_by_role("heading", level=1, name="You're offline")).to_be_visible()
        await expect(dana.get_by_text(MAY_NOT_HAVE_REACHED)).to_be_visible()
        await expect(dana.get_by_text(NOT_SAVED)).to_have_count(0)
