"""Save to phone (a contact's page, the welcome page) and Save contact (a public card): links
with no ``download`` attribute, since the answer alone makes the file a download
(``Content-Disposition: attachment``), and a refusal is a page in words with its 4xx (a link
with ``download`` shows nothing at all for it). The browser's side:
tests/browser/test_save_to_phone_refused_said.py."""

from __future__ import annotations

import httpx

from tests.phone import Phone, soup, text_of

NOT_IN_YOUR_LIST = "That contact is not in your list."
REPLACED = (
    "This link was replaced by a newer one."
    " Ask them to show their QR code again or send a new link."
)


def save_link(page: httpx.Response, label: str) -> str:
    """The href of the link labelled ``label``, which must be no ``download`` link."""
    link = soup(page).find("a", string=label)
    assert link is not None, f"no {label!r} link"
    assert not link.has_attr("download"), f"{label!r} drops an error answer silently"
    return str(link["href"])


async def assert_vcf(phone: Phone, href: str, filename: str) -> None:
    saved = await phone.get(href)
    assert saved.status_code == 200
    assert saved.headers["content-type"] == "text/vcard; charset=utf-8"
    assert saved.headers["content-disposition"].startswith(f'attachment; filename="{filename}"')


def refused_in_words(refused: httpx.Response, status: int, heading: str, said: str) -> None:
    assert refused.status_code == status
    assert refused.headers["content-type"].startswith("text/html")
    assert soup(refused).h1.get_text(strip=True) == heading
    assert said in text_of(refused)


async def test_save_to_phone_is_an_attachment_and_a_removed_contact_a_page_in_words(
    new_phone, pool
):
    dana = await new_phone()
    await dana.make_card()
    zoe = await new_phone()
    left = await zoe.post(
        await dana.share_link() + "/details", {"name": "Zoe Smith", "email": "zoe@example.com"}
    )
    welcome = await zoe.get(left.headers["location"])
    from_welcome = save_link(welcome, "Save Dana Lee to my phone")
    contact_id = await pool.fetchval(
        "SELECT c.id FROM contacts c JOIN cards ON cards.account_id = c.owner_id"
        " WHERE cards.name = 'Zoe Smith'"
    )
    contact_page = await zoe.get(zoe.url("contact", contact_id=contact_id))
    from_contact = save_link(contact_page, "Save to phone")
    assert from_welcome == from_contact == zoe.url("contact_vcard", contact_id=contact_id)
    await assert_vcf(zoe, from_contact, "Dana Lee.vcf")

    # Dana removes Zoe (both ways at once): Zoe's Save to phone says why, as a page.
    dana_side = await pool.fetchval("SELECT id FROM contacts WHERE id <> $1", contact_id)
    removed = await dana.post(dana.url("contact_remove", contact_id=dana_side))
    assert removed.status_code == 303
    refused_in_words(await zoe.get(from_contact), 404, "Not found", NOT_IN_YOUR_LIST)
    # Signed out (a phone with no account): the page that offers a way in, in words too.
    nobody = await new_phone()
    refused_in_words(await nobody.get(from_contact), 404, "No card on this phone yet", "card")


async def test_save_contact_is_an_attachment_and_a_replaced_code_a_page_in_words(new_phone):
    dana = await new_phone()
    await dana.make_card()
    visitor = await new_phone()
    card = await visitor.get(await dana.share_link())
    href = save_link(card, "Save contact")
    await assert_vcf(visitor, href, "Dana Lee.vcf")

    assert (await dana.post(dana.url("share_reset"))).status_code == 303
    refused_in_words(await visitor.get(href), 410, "This link no longer works", REPLACED)
