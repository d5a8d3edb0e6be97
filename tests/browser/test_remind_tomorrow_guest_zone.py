"""Dana, her phone set to London, types Gina's details in (Tap, "Someone without the app"):
Gina's card takes London's zone, a guess. Gina opens her "You met" in Los Angeles, in a real
browser: the page promises no London hour, and once she presses "Remind me tomorrow" (her
browser sending its zone, as app.js fills it in) it says 09:00 in Los Angeles, and names it.

Real parts: the web process in development, the worker process sending over SMTP to the
local mail sink (``dev_server``, ``dev_mail``), each phone a Chromium context of its own.
"""

from __future__ import annotations

import asyncpg
from playwright.async_api import expect

from tests.browser.conftest import DevMail, DevServer, NewPage
from tests.browser.ui import DANA, make_card_from_home, name_input
from tests.mailing import link_in
from tests.reminders import next_morning

LONDON = "Europe/London"
LA = "America/Los_Angeles"
GINA = ("Gina Ortiz", "gina@example.com")


async def test_gina_s_press_from_los_angeles_names_09_00_there(
    dev_phone_page: NewPage, dev_server: DevServer, dev_mail: DevMail, pool: asyncpg.Pool
) -> None:
    name, address = GINA
    dana = await dev_phone_page(timezone_id=LONDON)
    await make_card_from_home(dana, DANA)
    await dana.goto("/tap")
    await dana.get_by_text("Someone without the app").tap()
    form = dana.locator("#guest-form")
    await name_input(form).fill(name)
    await form.get_by_label("Email", exact=True).fill(address)
    await form.get_by_role("button", name="Save their details").tap()
    await expect(dana.get_by_role("heading", level=1, name=name)).to_be_visible()
    [sent] = await dev_mail.wait_for(1)
    assert sent.recipients == (address,)

    gina = await dev_phone_page(timezone_id=LA)
    await gina.goto(link_in(sent, "/m/confirm/"))
    await expect(
        gina.get_by_role("heading", level=1, name=f"Follow up with {DANA.name}")
    ).to_be_visible()
    await expect(gina.get_by_text("We will email")).to_have_text(
        f"We will email {address} tomorrow morning to remind you."
    )
    await gina.get_by_role("button", name="Remind me tomorrow").tap()
    await expect(gina.get_by_role("heading", level=1)).to_have_text("Done: you will be reminded")
    await expect(gina.get_by_role("status").filter(has_text="We will email")).to_have_text(
        f"We will email {address} {next_morning(LA)} at 09:00 ({LA}) to follow up with {DANA.name}."
    )
    zone = await pool.fetchval(
        "SELECT a.time_zone FROM accounts a JOIN cards c ON c.account_id = a.id WHERE c.name = $1",
        name,
    )
    assert zone == LA
