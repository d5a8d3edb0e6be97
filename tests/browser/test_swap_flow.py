"""Two phones swapping details in a real browser against the real server."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from tests.browser.conftest import NewPage
from tests.browser.ui import (
    DANA,
    MIA,
    Card,
    assert_same_document,
    contact_links,
    leave_details,
    make_card_from_home,
    mark_document,
    scan_qr,
)


async def sees_in_contacts(page: Page, name: str) -> None:
    await page.goto("/contacts")
    await expect(page.get_by_role("heading", level=1, name="Contacts")).to_be_visible()
    await expect(contact_links(page).filter(has_text=name)).to_be_visible()


async def test_visitor_without_the_app_scans_the_qr_and_leaves_details(
    new_phone_page: NewPage, live_server: str
) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)

    link = await scan_qr(dana)
    assert link.startswith(f"{live_server}/c/"), link

    mia = await new_phone_page()
    await mia.goto(link)
    card = mia.get_by_role("region", name="Dana Lee's card")
    await expect(card.get_by_role("heading", level=1, name="Dana Lee")).to_be_visible()
    await expect(card).to_contain_text(DANA.headline)
    await expect(card).to_contain_text(DANA.looking_for)
    await expect(card).to_contain_text(DANA.can_help_with)
    await expect(card.get_by_role("link", name="Email dana@example.com")).to_be_visible()

    await leave_details(mia, "Dana Lee", MIA.name, MIA.email)
    await expect(mia.get_by_role("heading", level=1, name="Dana Lee")).to_be_visible()

    await sees_in_contacts(dana, "Mia Chen")
    await sees_in_contacts(mia, "Dana Lee")


async def test_visitor_with_a_card_swaps_in_one_tap(new_phone_page: NewPage) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    link = await scan_qr(dana)

    mia = await new_phone_page()
    await make_card_from_home(mia, MIA)
    await mia.goto(link)
    await expect(mia.get_by_role("heading", level=1, name="Dana Lee")).to_be_visible()
    # Someone with a card is not asked to type anything again.
    await expect(mia.get_by_role("heading", name="Leave your details")).to_have_count(0)
    await mia.get_by_role("button", name="Swap details").tap()

    await expect(mia).to_have_url(re.compile(r"/contacts/\d+\?notice=swapped$"))
    await expect(mia.get_by_role("status").filter(has_text="Swapped!")).to_contain_text(
        "Dana Lee has your card"
    )
    # Said once: Back to the page later, or a reload, does not say it again.
    swapped = mia.url
    await sees_in_contacts(mia, "Dana Lee")
    await mia.go_back()
    await expect(mia.get_by_role("heading", level=1, name="Dana Lee")).to_be_visible()
    await expect(mia).to_have_url(swapped.removesuffix("?notice=swapped"))
    await expect(mia.get_by_text("Swapped!")).to_have_count(0)
    await mia.goto(swapped)
    await expect(mia.get_by_text("Swapped!")).to_be_visible()
    await mia.reload()
    await expect(mia.get_by_role("heading", level=1, name="Dana Lee")).to_be_visible()
    await expect(mia).to_have_url(swapped.removesuffix("?notice=swapped"))
    await expect(mia.get_by_text("Swapped!")).to_have_count(0)

    await sees_in_contacts(dana, "Mia Chen")
    await sees_in_contacts(mia, "Dana Lee")


async def test_card_edits_in_place_and_keeps_the_old_value_on_a_bad_email(
    new_phone_page: NewPage,
) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    await dana.goto("/card")
    view = dana.locator("#card-view")
    await expect(view).to_contain_text(DANA.headline)
    await mark_document(dana)

    await dana.get_by_role("link", name="Edit my card").tap()
    headline = dana.get_by_label("Role or headline")
    await expect(headline).to_have_value(DANA.headline)
    await headline.fill("Head of talent, fashion")
    await dana.get_by_role("button", name="Save my card").tap()

    await expect(view.get_by_text("Saved.", exact=True)).to_be_visible()
    await expect(dana.locator("#flash")).to_have_text("Saved.")
    await expect(view).to_contain_text("Head of talent, fashion")
    await expect(view).not_to_contain_text(DANA.headline)
    await expect(dana).to_have_url(re.compile(r"/card$"))
    await assert_same_document(dana)

    # A bad email: the message shows next to the field as soon as they leave it...
    await dana.get_by_role("link", name="Edit my card").tap()
    email = dana.get_by_label("Email", exact=True)
    await email.fill("dana@example")
    await email.press("Tab")
    email_field = dana.locator(".field", has=dana.get_by_label("Email", exact=True))
    message = "That email address does not look right."
    await expect(email_field.locator(".error")).to_have_text(message)
    await expect(email).to_have_attribute("aria-invalid", "true")

    # ...and saving anyway keeps the form open, with the message, and saves nothing.
    await dana.get_by_role("button", name="Save my card").tap()
    await expect(dana.get_by_role("alert")).to_contain_text("Nothing was saved yet")
    await expect(email_field.locator(".error")).to_have_text(message)
    await expect(email).to_have_value("dana@example")
    await expect(email).to_have_accessible_description(message)
    await assert_same_document(dana)

    await dana.reload()
    await expect(view.get_by_role("link", name="Email dana@example.com")).to_be_visible()
    await expect(view).to_contain_text("Head of talent, fashion")


async def test_contacts_search_filters_as_you_type(new_phone_page: NewPage) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    link = await scan_qr(dana)
    people = [
        Card(name="Mia Chen", email="mia@example.com"),
        Card(name="Omar Haddad", email="omar@example.com"),
        Card(name="Priya Nair", email="priya@example.com"),
    ]
    for person in people:
        visitor = await new_phone_page()
        await visitor.goto(link)
        await leave_details(visitor, "Dana Lee", person.name, person.email)
        await visitor.context.close()

    await dana.goto("/contacts")
    await expect(contact_links(dana)).to_have_count(3)
    await mark_document(dana)

    search = dana.get_by_label("Search by name, role or company")
    await search.press_sequentially("omar", delay=30)
    await expect(contact_links(dana)).to_have_count(1)
    await expect(contact_links(dana)).to_contain_text("Omar Haddad")
    await expect(dana).to_have_url(re.compile(r"/contacts\?q=omar$"))

    await search.fill("")
    await search.press_sequentially("zzz", delay=30)
    await expect(dana.locator("#contact-list")).to_have_text("Nobody matches “zzz”.")

    await search.fill("")
    await expect(contact_links(dana)).to_have_count(3)
    await assert_same_document(dana)
