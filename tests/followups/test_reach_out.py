""" "Reach out" as an attack and without JavaScript.

A legal email address can carry ``?cc=`` or ``&bcc=`` in its local part: written raw into a
``mailto:`` link, it would add the attacker as a recipient of Dana's message. And a form
POST answered with a redirect to ``mailto:`` is blocked by the CSP (``form-action 'self'``),
so without JavaScript the answer is a page with the link.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, unquote

import pytest

from server.cards.fields import mailto_url, phone_url
from tests.phone import soup, text_of
from tests.reminders import swapped

HOSTILE_ADDRESSES = [
    "mia?cc=eve%40evil.example@example.com",
    "mia&bcc=eve%40evil.example@example.com",
    "mia?bcc=eve%40evil.example&body=hi@example.com",
    "mia#x?cc=eve%40evil.example@example.com",
]


def read_mailto(href: str) -> tuple[list[str], dict[str, list[str]]]:
    """What a mail app reads from a mailto: link (RFC 6068): the recipients, and the header
    fields, where cc and bcc would add more."""
    assert href.startswith("mailto:")
    to, _, query = href.removeprefix("mailto:").partition("?")
    return [unquote(address) for address in to.split(",")], parse_qs(query)


@pytest.mark.parametrize("address", HOSTILE_ADDRESSES)
def test_an_address_cannot_add_recipients_to_a_mailto_link(address):
    recipients, fields = read_mailto(mailto_url(address, "subject=Hi"))
    assert recipients == [address]
    assert fields == {"subject": ["Hi"]}


def test_a_phone_link_is_one_number():
    assert phone_url("sms", "+14155550199", "&body=Hi") == "sms:+14155550199?&body=Hi"
    assert phone_url("tel", "+1 415?body=x") == "tel:+1415%3Fbody%3Dx"


@pytest.mark.parametrize("address", HOSTILE_ADDRESSES[:2])
async def test_reach_out_writes_only_to_the_contact(new_phone, pool, address):
    # The address is legal, so Mia could save it on her card.
    dana, _ = await swapped(new_phone, mia={"email": address})
    assert await pool.fetchval("SELECT email FROM cards WHERE name = 'Mia Chen'") == address
    contact_id = await pool.fetchval("SELECT id FROM contacts WHERE owner_id = 1")

    page = await dana.post(dana.url("reach_out", contact_id=contact_id), {"via": "email"})
    href = soup(page).find("a", string="Open your email app to write to Mia")["href"]
    recipients, fields = read_mailto(href)
    assert recipients == [address]
    assert set(fields) == {"subject", "body"}

    contact_page = await dana.get(dana.url("contact", contact_id=contact_id))
    link = soup(contact_page).find("a", string=f"Email {address}")
    assert read_mailto(link["href"]) == ([address], {})


async def test_without_javascript_reach_out_is_a_page_with_the_link(new_phone, pool):
    dana, _ = await swapped(new_phone, mia={"phone": "+14155550199"})
    contact_id = await pool.fetchval("SELECT id FROM contacts WHERE owner_id = 1")
    # A plain form POST, as a browser without JavaScript sends it: no redirect to mailto:,
    # which the CSP's form-action 'self' would block, leaving the person on a blank tap.
    for via, label, scheme in (
        ("email", "Open your email app to write to Mia", "mailto:mia@example.com?"),
        ("sms", "Open your messages to text Mia", "sms:+14155550199?&body=Hi%20Mia"),
    ):
        page = await dana.post(dana.url("reach_out", contact_id=contact_id), {"via": via})
        assert page.status_code == 200
        assert "location" not in page.headers
        button = soup(page).find("a", string=label)
        assert button is not None, text_of(page)
        assert button["href"].startswith(scheme)
        assert "marked done" in text_of(page)
        back = soup(page).find("a", string="Back to Mia Chen")
        assert back["href"] == dana.url("contact", contact_id=contact_id)
    assert await pool.fetchval("SELECT status FROM followups WHERE owner_id = 1") == "done"


async def test_with_htmx_reach_out_updates_the_follow_up_and_opens_the_link(new_phone, pool):
    dana, _ = await swapped(new_phone)
    contact_id = await pool.fetchval("SELECT id FROM contacts WHERE owner_id = 1")
    response = await dana.post(
        dana.url("reach_out", contact_id=contact_id), {"via": "email"}, htmx=True
    )
    assert response.status_code == 200
    opened = json.loads(response.headers["hx-trigger-after-settle"])["reachout:open"]
    assert opened.startswith("mailto:mia@example.com?subject=Great%20to%20meet%20you&body=")
    assert "Undo" in text_of(response)
