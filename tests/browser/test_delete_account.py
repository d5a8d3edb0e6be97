"""Leaving, in a real browser on a phone-sized screen: Dana, whose card Mia scanned, confirms
her address, then deletes her account from Settings with a code the local SMTP sink
received, by the labels she sees; her phone ends on the start page saying "Your account is
deleted.", and the link Mia kept shows "This card was deleted".

Real parts: the web process in development, the worker process sending over SMTP to the
local mail sink (``dev_server``, ``dev_mail``), each phone a Chromium context of its own.
"""

from __future__ import annotations

import re

import asyncpg
from playwright.async_api import Page, expect

from tests.browser.axe import axe_violations, describe_violations
from tests.browser.conftest import DevMail, DevServer, NewPage
from tests.browser.test_sign_in import SESSION_COOKIE, open_settings
from tests.browser.ui import DANA, MIA, contact_links, leave_details, make_card_from_home, scan_qr
from tests.mailing import link_in

DELETE_SUBJECT = re.compile(r"^(\d{8}) is your code to delete your Reachout account$")
FITS_THE_SCREEN = "() => document.documentElement.scrollWidth <= window.innerWidth"


async def newest_to(dev_mail: DevMail, address: str, subject: re.Pattern[str]):  # type: ignore[no-untyped-def]
    """The newest message to ``address`` whose subject matches, waiting for it to arrive."""
    arrived = 0
    while True:
        received = await dev_mail.wait_for(arrived + 1)
        arrived = len(received)
        for mail in reversed(received):
            if subject.match(mail.subject) and mail.recipients == (address,):
                return mail


# How many of the signed-in app's pages this browser keeps for offline (sw-cache.js).
PAGES_KEPT = """async () => (await caches.keys()).includes("reachout-pages")
  ? (await (await caches.open("reachout-pages")).keys()).length : 0"""


async def test_dana_deletes_her_account_with_a_code_from_her_email(
    dev_phone_page: NewPage, dev_server: DevServer, dev_mail: DevMail, pool: asyncpg.Pool
) -> None:
    reports: list[str] = []

    async def check(label: str, page: Page) -> None:
        await page.wait_for_load_state("load")
        violations = await axe_violations(page)
        if violations:
            reports.append(describe_violations(f"{label} ({page.url})", violations))
        assert await page.evaluate(FITS_THE_SCREEN), f"{label} scrolls sideways"

    dana = await dev_phone_page()
    await make_card_from_home(dana, DANA)
    link = await scan_qr(dana)
    mia = await dev_phone_page()
    await mia.goto(link)
    await leave_details(mia, DANA.name, MIA.name, MIA.email)

    # Her address, confirmed from Settings: the button in the email it sends.
    await open_settings(dana)
    await dana.get_by_role("button", name="Send me a confirmation").tap()
    # The form's redirect lands before the mailed link is opened in the same tab.
    await dana.wait_for_url(re.compile(r"notice=confirmation_sent"))
    confirm = await newest_to(dev_mail, DANA.email, re.compile("^Confirm your address"))
    await dana.goto(link_in(confirm, "/m/confirm/"))
    await dana.get_by_role("button", name="Confirm my address").tap()
    await expect(dana.get_by_role("heading", level=1)).to_have_text("Your address is confirmed")

    # Settings → Your data: Privacy says how long things are kept; then "Delete my account".
    await open_settings(dana)
    your_data = dana.get_by_role("region", name="Your data")
    await your_data.get_by_role("link", name="Privacy").tap()
    await expect(dana.get_by_role("heading", level=1, name="Privacy")).to_be_visible()
    await expect(dana.locator("#retention")).to_contain_text("deleted after 365 days")
    await check("privacy", dana)
    await open_settings(dana)
    await your_data.get_by_role("link", name="Delete my account").tap()
    await expect(dana.get_by_role("heading", level=1, name="Delete my account")).to_be_visible()
    await expect(dana.get_by_role("main")).to_contain_text("your 1 contact,")
    await check("delete my account", dana)
    await dana.get_by_role("button", name="Email me a code").tap()
    await expect(dana.get_by_role("status").filter(has_text="We sent a code")).to_have_text(
        f"We sent a code to {DANA.email}. It works for 10 minutes."
    )
    mail = await newest_to(dev_mail, DANA.email, DELETE_SUBJECT)
    found = DELETE_SUBJECT.match(mail.subject)
    assert found is not None
    code = found.group(1)
    typed = dana.get_by_label("8-digit code from the email")
    # A slip of the thumb first: said at once; nothing is deleted.
    await typed.fill("00000000" if code != "00000000" else "11111111")
    await dana.get_by_role("button", name="Confirm it's me").tap()
    await expect(dana.get_by_role("alert")).to_have_text("That code is not right. 4 tries left.")
    await check("delete my account, a wrong code", dana)
    await typed.fill(code)
    await dana.get_by_role("button", name="Confirm it's me").tap()
    await expect(dana.get_by_role("status").filter(has_text="It's you")).to_contain_text(
        "It's you: confirmed."
    )
    await check("delete my account, confirmed", dana)
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 2, "nothing deleted yet"
    assert await dana.evaluate(PAGES_KEPT) > 0, "her pages were kept for offline"
    await dana.get_by_role("button", name="Delete my account for good").tap()

    # The start page, saying so; a reload asks nothing again.
    await expect(
        dana.get_by_role("status").filter(has_text="Your account is deleted.")
    ).to_be_visible()
    await expect(dana).to_have_url(re.compile(r"/\?notice=account_deleted$"))
    # Told to forget it all on the way (Clear-Site-Data on the redirect): none of her pages
    # is kept for offline any more.
    assert await dana.evaluate(PAGES_KEPT) == 0, "her pages are still kept"
    await dana.reload()
    await expect(dana.get_by_role("link", name="Make my card")).to_be_visible()
    await expect(dana.get_by_role("navigation", name="Main")).to_have_count(0)
    await check("account deleted", dana)
    cookies = await dana.context.cookies()
    assert SESSION_COOKIE not in {cookie["name"] for cookie in cookies}, cookies
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 1, "Mia's only"

    # The link Mia kept, and her list.
    answer = await mia.goto(link)
    assert answer is not None and answer.status == 410
    await expect(mia.get_by_role("heading", level=1, name="This card was deleted")).to_be_visible()
    await check("card deleted", mia)
    await mia.goto("/contacts")
    await expect(contact_links(mia)).to_have_count(0)
    assert not reports, "serious or critical axe violations:\n" + "\n".join(reports)
