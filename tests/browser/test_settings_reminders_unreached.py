"""Turning reminders on with no answer from Reachout (the venue's Wi-Fi dropped the request,
or a proxy answered with its own 502 page) says Reachout could not be reached, not that this
browser cannot take reminders (as in a private window). The request fails on the network
(network_proxy), where the service worker's would too."""

from __future__ import annotations

import secrets

import pytest
from playwright.async_api import expect

from server.local_services.push_service import LocalPushService
from tests.browser.conftest import NewPage
from tests.browser.network_proxy import Sent, network_proxy
from tests.browser.test_reminders import fake_push_manager
from tests.browser.test_tap_said import PROXY_502
from tests.browser.ui import DANA, make_card_from_home

UNREACHED = (
    "Reminders are not on yet: Reachout could not be reached. Check your connection and try again."
)
BAD_GATEWAY = (
    "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: "
    f"{len(PROXY_502)}\r\nConnection: close\r\n\r\n{PROXY_502}"
).encode()


@pytest.mark.parametrize("answer", [b"", BAD_GATEWAY], ids=["dropped", "proxy-502"])
async def test_turning_on_unanswered_says_reachout_could_not_be_reached(
    new_phone_page: NewPage, live_server: str, push: LocalPushService, answer: bytes
) -> None:
    failing = {"on": False}

    async def subscribe_fails(sent: Sent) -> bytes | None:
        return answer if failing["on"] and sent.path == "/push/subscriptions" else None

    async with network_proxy(subscribe_fails) as proxy:
        dana = await new_phone_page(proxy={"server": proxy})
        await make_card_from_home(dana, DANA)
        await dana.context.grant_permissions(["notifications"], origin=live_server)
        await dana.context.add_init_script(
            fake_push_manager(push.origin, secrets.token_urlsafe(16))
        )
        await dana.goto("/settings")
        turn_on = dana.get_by_role("button", name="Turn on reminders")
        failing["on"] = True
        await turn_on.tap()
        status = dana.locator("#push").get_by_role("status")
        await expect(status).to_have_text(UNREACHED)
        await expect(turn_on).to_be_enabled()

        failing["on"] = False
        await turn_on.tap()
        await expect(status).to_have_text("Reminders are on for this phone.")
