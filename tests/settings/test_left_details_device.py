"""Settings' "Signed-in devices" says truthfully how each browser came in: the phone where
someone with no app left their details on a card page is where they left their details, not
where they "made the card"; a browser that made a card still says so."""

from __future__ import annotations

import re

from tests.mailing import code_sent
from tests.phone import soup, words

IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15"
    " (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1"
)
MAC_CHROME = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36"
    " (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)
CODE = re.compile(r".*code: (\d{8})")


async def signed_in_on_laptop(new_phone, mail, app, address: str):  # type: ignore[no-untyped-def]
    laptop = await new_phone(**{"user-agent": MAC_CHROME})
    asked = await laptop.post(laptop.url("sign_in_ask"), {"email": address})
    assert asked.status_code == 303
    code = await code_sent(app, mail, CODE, address)
    signed = await laptop.post(laptop.url("sign_in_code"), {"email": address, "code": code})
    assert signed.status_code == 303, signed.text
    return laptop


def device_lines(page) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Each signed-in device's line, as read, by the browser it names; and its Sign out
    button's accessible name, as a screen reader announces it."""
    lines = {}
    for item in soup(page).select("#sessions li"):
        name = words(item.select_one(".name"))
        button = item.find("button", string="Sign out")
        lines[name] = words(item) + (" | " + button["aria-label"] if button else "")
    return lines


async def test_the_phone_that_left_details_says_so(new_phone, mail, app):
    dana = await new_phone()
    await dana.make_card()
    link = await dana.share_link()
    mia = await new_phone(**{"user-agent": IPHONE_SAFARI})
    left = await mia.post(link + "/details", {"name": "Mia Chen", "email": "mia@example.com"})
    assert left.status_code == 303
    laptop = await signed_in_on_laptop(new_phone, mail, app, "mia@example.com")
    # Seen again (a session is touched on its next request): its browser is known by then.
    await mia.get(mia.url("contacts"))
    lines = device_lines(await laptop.get(laptop.url("settings")))
    assert set(lines) == {"Safari on iPhone", "Chrome on Mac"}, lines
    phone_line = lines["Safari on iPhone"]
    assert phone_line.startswith("Safari on iPhone Left your details here "), phone_line
    assert "Sign out Safari on iPhone, left your details here " in phone_line
    assert "made the card" not in phone_line.lower()
    assert "Signed in with an email code" in lines["Chrome on Mac"]


async def test_the_phone_that_made_a_card_still_says_so(new_phone, mail, app):
    dana = await new_phone(**{"user-agent": IPHONE_SAFARI})
    await dana.make_card()
    # Someone leaves details on Dana's card: Dana's own account made no contact then.
    link = await dana.share_link()
    mia = await new_phone()
    assert (
        await mia.post(link + "/details", {"name": "Mia Chen", "email": "mia@example.com"})
    ).status_code == 303
    laptop = await signed_in_on_laptop(new_phone, mail, app, "dana@example.com")
    await dana.get(dana.url("contacts"))
    phone_line = device_lines(await laptop.get(laptop.url("settings")))["Safari on iPhone"]
    assert phone_line.startswith("Safari on iPhone Made the card here "), phone_line
