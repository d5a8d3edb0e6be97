"""What a screen reader says of the Follow-ups tab, in Chromium: someone waiting for her to
accept is "waiting for you", not "due" (the page under the tab says nobody is due)."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.browser.conftest import NewPage
from tests.browser.ui import DANA, MIA, leave_details, make_card_from_home, scan_qr, tab


async def test_the_tab_says_who_waits_not_that_they_are_due(new_phone_page: NewPage) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    await dana.get_by_role("checkbox", name="Ask for their details first.", exact=False).check()
    await expect(dana.locator("#ask-first").get_by_role("status")).to_have_text(
        "On: they leave their details first."
    )
    mia = await new_phone_page()
    await mia.goto(await scan_qr(dana))
    await leave_details(mia, DANA.name, MIA.name, MIA.email)

    await dana.goto("/followups")
    await expect(tab(dana, "Follow-ups")).to_have_accessible_name("Follow-ups 1 waiting for you")
    # Where the number leads: nobody due on the page, one waiting behind its first link.
    main = dana.get_by_role("main")
    await expect(main.get_by_role("heading", name=re.compile("Reach out now"))).to_have_count(0)
    await expect(main.get_by_role("link", name=re.compile("^Requests to connect"))).to_have_text(
        re.compile(r"Requests to connect\s+1")
    )
