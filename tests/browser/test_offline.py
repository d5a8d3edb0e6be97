"""At a venue with no network: the installed app still opens my QR and my contacts."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.browser.conftest import NewPage
from tests.browser.ui import (
    DANA,
    MIA,
    contact_links,
    make_card_from_home,
    offline_mark,
    scan_qr,
    service_worker_controls,
    swap_with_mia,
)


async def opens_dana_s_card(new_phone_page: NewPage, live_server: str, link: str) -> None:
    """The QR that the phone showed offline (the copy it kept) still works for someone else."""
    assert link.startswith(f"{live_server}/c/"), link
    visitor = await new_phone_page()
    await visitor.goto(link)
    await expect(visitor.get_by_role("heading", level=1, name=DANA.name)).to_be_visible()
    await expect(visitor.get_by_role("heading", name="Leave your details")).to_be_visible()


async def test_my_qr_and_contacts_open_with_no_network(
    new_phone_page: NewPage, live_server: str
) -> None:
    dana = await swap_with_mia(new_phone_page)
    # Dana uses the app online, as before the venue: the service worker is in charge.
    await dana.goto("/share")
    await service_worker_controls(dana)
    await dana.goto("/contacts")
    await expect(contact_links(dana).filter(has_text=MIA.name)).to_be_visible()
    await dana.goto("/share")
    await expect(dana.get_by_role("heading", level=1, name=DANA.name)).to_be_visible()
    await expect(offline_mark(dana)).to_have_count(0)

    await dana.context.set_offline(True)
    await expect(offline_mark(dana)).to_be_visible()  # the open page notices at once
    response = await dana.reload()
    assert response is not None and response.from_service_worker
    await expect(dana.get_by_role("heading", level=1, name=DANA.name)).to_be_visible()
    await expect(dana.locator("#qr svg")).to_be_visible()
    link = await scan_qr(dana)
    await expect(offline_mark(dana)).to_be_visible()

    await dana.goto("/contacts")
    await expect(dana.get_by_role("heading", level=1, name="Contacts")).to_be_visible()
    await expect(contact_links(dana).filter(has_text=MIA.name)).to_be_visible()
    await expect(offline_mark(dana)).to_be_visible()

    # A page never opened online says so instead of a browser error.
    await dana.goto("/settings")
    await expect(dana.get_by_role("heading", level=1, name="You're offline")).to_be_visible()
    await expect(offline_mark(dana)).to_be_visible()

    await dana.context.set_offline(False)
    await expect(offline_mark(dana)).to_have_count(0)
    await dana.goto("/share")
    await expect(dana.locator("#qr svg")).to_be_visible()
    await expect(offline_mark(dana)).to_have_count(0)
    await opens_dana_s_card(new_phone_page, live_server, link)


async def test_opening_the_app_offline_from_its_start_url(
    new_phone_page: NewPage, live_server: str
) -> None:
    """The installed app starts at its start URL ("/"): offline, that is my QR."""
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    await service_worker_controls(dana)
    await dana.reload()

    await dana.context.set_offline(True)
    response = await dana.goto("/")
    assert response is not None and response.from_service_worker
    await expect(dana.get_by_role("heading", level=1, name=DANA.name)).to_be_visible()
    await expect(offline_mark(dana)).to_be_visible()
    link = await scan_qr(dana)
    await opens_dana_s_card(new_phone_page, live_server, link)


async def test_a_page_polling_offline_does_not_say_nothing_was_sent(
    new_phone_page: NewPage,
) -> None:
    # The move page asks every 3 s what became of its code. Offline, each miss said "You're
    # offline: nothing was sent" though the person sent nothing.
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    await dana.goto("/move")
    await dana.get_by_role("button", name="Show a code").tap()
    code = dana.get_by_role("img", name=re.compile(r"^Code: "))
    await expect(code).to_be_visible()
    await dana.context.set_offline(True)
    # The next poll's miss, once the page's own handlers have run.
    await dana.evaluate(
        """() => new Promise((done) => document.addEventListener(
               "htmx:sendError", () => setTimeout(done), { once: true }))"""
    )
    await expect(dana.locator("#flash")).to_be_empty()
    await expect(code).to_be_visible()
