"""Save to phone, tapped after the card went away (the contact removed meanwhile, the code
replaced): the person sees why, in words, rather than nothing at all (a link with
``download`` drops an error answer silently). Otherwise the .vcf downloads and the page stays."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from tests.browser.conftest import NewPage
from tests.browser.ui import DANA, MIA, Card, leave_details, make_card_from_home, share_link
from tests.browser.ui import contact_links as listed

ZOE = Card(name="Zoe Smith", email="zoe@example.com")
NOT_IN_YOUR_LIST = "That contact is not in your list."  # contacts.load_contact's 404
REPLACED = (
    "This link was replaced by a newer one."
    " Ask them to show their QR code again or send a new link."
)


async def downloads(page: Page, link: str, filename: str) -> None:
    """Tapping ``link`` downloads ``filename``, and the page tapped on stays."""
    url = page.url
    async with page.expect_download() as started:
        await page.get_by_role("link", name=link).tap()
    file = await started.value
    assert await file.failure() is None
    assert file.suggested_filename == filename
    assert page.url == url


async def refused_in_words(page: Page, link: str, heading: str, words: str) -> None:
    await page.get_by_role("link", name=link).tap()
    # The error page itself, not the page tapped on with nothing said.
    await expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
    await expect(page.get_by_text(words)).to_be_visible()


async def remove(page: Page, name: str) -> None:
    """From my contacts, open ``name`` and remove them (both ways at once)."""
    await page.goto("/contacts")
    await listed(page).filter(has_text=name).tap()
    await page.get_by_role("button", name=f"Remove {name}").tap()
    await expect(page).to_have_url(re.compile(r"/contacts\?removed=\d+$"))


async def test_save_to_phone_for_a_contact_removed_meanwhile_says_so(
    new_phone_page: NewPage,
) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    link = await share_link(dana)
    mia = await new_phone_page()
    await make_card_from_home(mia, MIA)
    await mia.goto(link)
    await mia.get_by_role("button", name="Swap details").tap()
    await expect(mia).to_have_url(re.compile(r"/contacts/\d+\?notice=swapped$"))
    await downloads(mia, "Save to phone", "Dana Lee.vcf")
    await expect(mia.get_by_role("heading", level=1, name=DANA.name)).to_be_visible()

    await remove(dana, MIA.name)
    await refused_in_words(mia, "Save to phone", "Not found", NOT_IN_YOUR_LIST)


async def test_save_to_my_phone_on_the_welcome_page_after_removal_says_so(
    new_phone_page: NewPage,
) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    zoe = await new_phone_page()
    await zoe.goto(await share_link(dana))
    await leave_details(zoe, DANA.name, ZOE.name, ZOE.email)
    await downloads(zoe, "Save Dana Lee to my phone", "Dana Lee.vcf")

    await remove(dana, ZOE.name)
    await refused_in_words(zoe, "Save Dana Lee to my phone", "Not found", NOT_IN_YOUR_LIST)


async def test_save_contact_on_a_card_whose_code_was_replaced_says_so(
    new_phone_page: NewPage,
) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    link = await share_link(dana)
    visitor = await new_phone_page()
    await visitor.goto(link)
    await downloads(visitor, "Save contact", "Dana Lee.vcf")

    await dana.get_by_role("button", name="Make a new code (the old one stops working)").tap()
    await expect(dana.locator("#share-link")).not_to_have_value(link)
    await refused_in_words(visitor, "Save contact", "This link no longer works", REPLACED)
