"""Two accounts, one person, in a real browser: Dana's card in Safari and a second one she
made by mistake in the app on her home screen, both knowing Sam. Moving Safari's account to
the app offers to merge: afterwards both show Sam once, and Ben, whom only the app knew."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.browser.conftest import NewPage
from tests.browser.ui import (
    DANA,
    SAM,
    Card,
    contacts_once,
    leave_details,
    make_card_from_home,
    share_link,
)

DANA_AGAIN = Card(name="Dana L.", email="dana.l@example.com", headline="Recruiter")
BEN = Card(name="Ben Ode", email="ben@example.com", headline="Designer")


async def test_signing_the_app_in_merges_its_card_and_keeps_one_sam(
    new_phone_page: NewPage,
) -> None:
    safari = await new_phone_page()
    await make_card_from_home(safari, DANA)
    sam = await new_phone_page()
    await sam.goto(await share_link(safari))
    await leave_details(sam, DANA.name, SAM.name, SAM.email)

    installed = await new_phone_page()
    await make_card_from_home(installed, DANA_AGAIN)
    await sam.goto(await share_link(installed))
    await sam.get_by_role("button", name="Swap details").tap()
    ben = await new_phone_page()
    await ben.goto(await share_link(installed))
    await leave_details(ben, DANA_AGAIN.name, BEN.name, BEN.email)

    await safari.goto("/move")
    await safari.get_by_role("button", name="Show a code").tap()
    code = (await safari.get_by_role("img", name=re.compile(r"^Code: ")).inner_text()).strip()
    await installed.goto("/move/enter")
    await installed.get_by_label("Code from your other phone").fill(code)
    await installed.get_by_role("button", name="Sign in here").tap()
    await expect(
        installed.get_by_role("heading", level=1, name="Merge the card this browser had?")
    ).to_be_visible()
    await expect(installed.locator("main")).to_contain_text("Dana L.")
    await installed.get_by_role("button", name="Merge into my account").tap()
    await expect(installed.get_by_role("status").filter(has_text="Merged.")).to_be_visible()

    for page in (installed, safari):
        await contacts_once(page, SAM.name)
        await contacts_once(page, BEN.name)
