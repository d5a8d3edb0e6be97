"""Settings names Reachout added to an iPhone's home screen as the app, not "A browser"."""

from __future__ import annotations

import re

import pytest

from server.signin import browsers
from tests.phone import soup, text_of

WEBKIT = "AppleWebKit/605.1.15 (KHTML, like Gecko)"
HOME_SCREEN_IPHONE = (
    f"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) {WEBKIT} Mobile/15E148"
)
HOME_SCREEN_IPAD = f"Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) {WEBKIT} Mobile/15E148"
SAFARI_IPHONE = HOME_SCREEN_IPHONE.replace("Mobile/", "Version/17.4 Mobile/") + " Safari/604.1"


@pytest.mark.parametrize(
    ("user_agent", "said"),
    [
        (HOME_SCREEN_IPHONE, "Reachout app on iPhone"),
        (HOME_SCREEN_IPAD, "Reachout app on iPad"),
        (SAFARI_IPHONE, "Safari on iPhone"),
        (HOME_SCREEN_IPHONE.replace("Mobile/", "CriOS/124.0 Mobile/"), "Chrome on iPhone"),
        (HOME_SCREEN_IPHONE + " Safari/604.1 EdgiOS/124.0", "Edge on iPhone"),
        # A link opened inside another app, in its own browser: not ours.
        (HOME_SCREEN_IPHONE + " [LinkedInApp]/9.29.8960", "A browser on iPhone"),
        (HOME_SCREEN_IPHONE + " [FBAN/FBIOS;FBAV/460.0]", "A browser on iPhone"),
        (HOME_SCREEN_IPHONE + " Instagram 330.0.3.12", "A browser on iPhone"),
        # Not an iPhone or iPad, or no WebKit phone at all: as before.
        (f"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) {WEBKIT}", "A browser on Mac"),
        ("curl/8.5.0", "A browser"),
        ("", "A browser"),
    ],
)
def test_a_browser_in_words(user_agent: str, said: str) -> None:
    assert browsers.describe(user_agent) == said


async def test_settings_lists_the_home_screen_app_by_name(new_phone):
    safari = await new_phone(**{"user-agent": SAFARI_IPHONE})
    await safari.make_card()
    installed = await new_phone(**{"user-agent": HOME_SCREEN_IPHONE})
    shown = await safari.post(safari.url("move_code"), {})
    code = re.search(r"\b[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}\b", text_of(shown))
    assert code, text_of(shown)
    typed = await installed.post(installed.url("move_enter_submit"), {"code": code.group(0)})
    assert typed.status_code == 303
    listed = [
        li.get_text(" ", strip=True)
        for li in soup(await safari.get(safari.url("settings"))).select("#sessions li")
    ]
    assert any(line.startswith("Reachout app on iPhone") for line in listed), listed
    assert any(line.startswith("Safari on iPhone (this device)") for line in listed), listed
