"""Share links and swaps: with someone who has a card, and with someone who has nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import vobject

from server import share_tokens
from tests.conftest import TEST_SECRET
from tests.phone import soup, text_of


async def test_visitor_without_account_leaves_details_and_both_are_connected(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    link = await dana.share_link()

    visitor = await new_phone()
    page = await visitor.get(link)
    assert page.status_code == 200
    assert "Dana Lee" in text_of(page)
    assert "Save contact" in text_of(page)
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 1, "a page view creates nothing"

    response = await visitor.post(
        link + "/details", {"name": "Mia Chen", "email": "mia@example.com"}
    )
    assert response.status_code == 303
    welcome = await visitor.get(response.headers["location"])
    assert "Dana Lee has your details" in text_of(welcome)

    dana_contacts = text_of(await dana.get(dana.url("contacts")))
    mia_contacts = text_of(await visitor.get(visitor.url("contacts")))
    assert "Mia Chen" in dana_contacts
    assert "Dana Lee" in mia_contacts


async def test_visitor_with_a_card_swaps_in_one_tap_and_twice_is_still_one(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    link = await dana.share_link()
    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email="mia@example.com")

    page = await mia.get(link)
    assert soup(page).find("button", string="Swap details") is not None

    first, second = await asyncio.gather(mia.post(link + "/swap"), mia.post(link + "/swap"))
    assert first.status_code == second.status_code == 303
    assert await pool.fetchval("SELECT count(*) FROM contacts") == 2  # one row for each side
    again = await mia.post(link + "/swap")
    assert again.status_code == 303
    assert await pool.fetchval("SELECT count(*) FROM contacts") == 2


async def test_public_vcard_parses_as_vcard_3(new_phone):
    dana = await new_phone()
    await dana.make_card(name="Dana Lee-Ortiz, Jr.", company="Thread; Line")
    link = await dana.share_link()
    visitor = await new_phone()
    response = await visitor.get(link + "/vcard")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/vcard")
    assert "attachment" in response.headers["content-disposition"]
    card = vobject.readOne(response.text)
    assert card.version.value == "3.0"
    assert card.fn.value == "Dana Lee-Ortiz, Jr."
    assert card.org.value == ["Thread; Line"]
    assert card.email.value == "dana@example.com"
    assert card.tel.value == "+14155550134"


async def test_bad_tokens_get_friendly_pages(new_phone, app):
    dana = await new_phone()
    await dana.make_card()
    link = await dana.share_link()
    visitor = await new_phone()

    unknown = await visitor.get("/c/not-a-real-code")
    assert unknown.status_code == 404
    assert "don't recognise this code" in text_of(unknown)

    token = link.rsplit("/", 1)[1]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert (await visitor.get(f"/c/{tampered}")).status_code == 404

    past = datetime.now(UTC) - timedelta(days=2)
    expired = share_tokens.issue(TEST_SECRET, 1, 0, past, timedelta(hours=24))
    response = await visitor.get(f"/c/{expired}")
    assert response.status_code == 410
    assert "This code has expired" in text_of(response)

    await dana.post(dana.url("share_reset"))
    replaced = await visitor.get(link)
    assert replaced.status_code == 410
    assert "replaced by a newer one" in text_of(replaced)
    fresh = await dana.share_link()
    assert fresh != link
    assert (await visitor.get(fresh)).status_code == 200


async def test_swapping_with_yourself_is_refused_politely(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    link = await dana.share_link()
    page = await dana.get(link)
    assert "This is your own card" in text_of(page)
    response = await dana.post(link + "/swap")
    assert response.status_code == 400
    assert "your own card" in text_of(response)
    assert await pool.fetchval("SELECT count(*) FROM contacts") == 0
