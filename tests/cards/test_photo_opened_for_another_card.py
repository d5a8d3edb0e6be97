"""The photo on a card page opened for one card, uploaded or removed while another card is
signed in on this phone now (switched in another tab): refused (409) in opened_for's words,
in #flash, and neither card's photo changes; each card's own page does as before."""

from __future__ import annotations

from typing import Any

import httpx

from tests.cards.test_save_opened_for_another_card import NOTHING_CHANGED, TITLE, ana_and_mia
from tests.cards.test_two_devices import jpeg
from tests.phone import Phone, soup, text_of


def photo_form(page: httpx.Response, action: str) -> dict[str, str]:
    """What the photo form posting to ``action`` on ``page`` sends besides the file."""
    form = soup(page).select_one(f"#card-photo form[action='{action}']")
    assert form is not None, page.text
    return {str(i["name"]): str(i.get("value", "")) for i in form.select("input[type=hidden]")}


def upload(colour: str) -> dict[str, tuple[str, bytes, str]]:
    return {"photo": (f"{colour}.jpg", jpeg(colour), "image/jpeg")}


async def photos(pool: Any) -> dict[str, str | None]:
    rows = await pool.fetch("SELECT name, photo_key FROM cards ORDER BY account_id")
    return {row["name"]: row["photo_key"] for row in rows}


def refused_in_flash(response: httpx.Response) -> None:
    assert response.status_code == 409
    assert response.headers["HX-Retarget"] == "#flash"
    said = text_of(response)
    assert TITLE in said and NOTHING_CHANGED in said
    assert "Photo saved" not in said and "changed on another phone or tab" not in said


async def test_a_photo_chosen_on_the_page_of_the_card_signed_in_before_goes_on_no_card(
    new_phone, pool
):
    ana, mia = await ana_and_mia(new_phone)
    # Ana's card page is open in a tab; another tab switched this phone to Mia's card.
    ana_page = await ana.get(ana.url("card"))
    sent = photo_form(ana_page, ana.url("card_photo"))

    refused_in_flash(await mia.post(ana.url("card_photo"), sent, files=upload("red"), htmx=True))
    page = await mia.post(ana.url("card_photo"), sent, files=upload("red"))
    assert page.status_code == 409
    shown = soup(page)
    assert shown.h1 is not None and shown.h1.get_text() == TITLE
    link = shown.find("a", string="Open it again")
    assert link is not None and link["href"] == mia.url("card")
    assert await photos(pool) == {"Ana Ruiz": None, "Mia Chen": None}
    assert await pool.fetchval("SELECT count(*) FROM photos") == 0

    # From each card's own page, the photo goes on that card.
    for phone in (ana, mia):
        mine = photo_form(await phone.get(phone.url("card")), phone.url("card_photo"))
        saved = await phone.post(phone.url("card_photo"), mine, files=upload("blue"), htmx=True)
        assert saved.status_code == 200
    assert all(await photos(pool))
    assert len(set((await photos(pool)).values())) == 2


async def remove_form(phone: Phone) -> dict[str, str]:
    return photo_form(await phone.get(phone.url("card")), phone.url("card_photo_remove"))


async def test_remove_photo_on_the_page_of_the_card_signed_in_before_removes_neither(
    new_phone, pool
):
    ana, mia = await ana_and_mia(new_phone)
    for phone, colour in ((ana, "red"), (mia, "blue")):
        await phone.post(phone.url("card_photo"), files=upload(colour))
    before = await photos(pool)
    # Ana's card page, showing her photo, is open in a tab; this phone is now Mia's.
    sent = await remove_form(ana)

    refused = await mia.post(mia.url("card_photo_remove"), sent, htmx=True)
    refused_in_flash(refused)
    assert soup(refused).select_one("#card-photo") is None, "Mia's photo is not shown in its place"
    assert (await mia.post(mia.url("card_photo_remove"), sent)).status_code == 409
    assert await photos(pool) == before

    # Each card's own page removes its own photo.
    for phone in (mia, ana):
        removed = await phone.post(phone.url("card_photo_remove"), await remove_form(phone))
        assert removed.status_code == 303
    assert await photos(pool) == {"Ana Ruiz": None, "Mia Chen": None}
