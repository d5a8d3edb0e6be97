"""The card editor opened for one card, saved while another card is signed in on this phone
now (switched in another tab): refused (409) in opened_for's words, not as "changed on another
phone or tab", and Save again is refused too: neither card takes the other's name or email."""

from __future__ import annotations

from typing import Any

from tests.cards.test_two_devices import CHANGED, editor
from tests.phone import Phone, soup, text_of

TITLE = "Opened for another card"
NOTHING_CHANGED = "so nothing was changed"


async def ana_and_mia(new_phone: Any) -> tuple[Phone, Phone]:
    ana = await new_phone()
    await ana.make_card(name="Ana Ruiz", email="ana@example.com")
    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email="mia@example.com")
    return ana, mia


async def cards(pool: Any) -> list[tuple[str, str, str]]:
    rows = await pool.fetch("SELECT name, email, headline FROM cards ORDER BY account_id")
    return [(row["name"], row["email"], row["headline"]) for row in rows]


async def test_saving_the_editor_of_the_card_signed_in_before_changes_neither_card(new_phone, pool):
    ana, mia = await ana_and_mia(new_phone)
    before = await cards(pool)
    # Ana's editor is open in a tab, her email being changed; another tab switched this phone
    # to Mia's card.
    typed = {**editor(await ana.get(ana.url("card_edit"))), "email": "ana.ruiz@example.com"}

    by_htmx = await mia.post(mia.url("card_save"), typed, htmx=True)
    assert by_htmx.status_code == 409
    said = text_of(by_htmx)
    assert TITLE in said and NOTHING_CHANGED in said and CHANGED not in said
    # Said in #flash: the form stays as typed, naming Ana's card, so Save again is refused too
    # (it got no version of Mia's card to save over it with).
    assert by_htmx.headers["HX-Retarget"] == "#flash"
    again = await mia.post(mia.url("card_save"), typed, htmx=True)
    assert again.status_code == 409 and CHANGED not in text_of(again)
    page = await mia.post(mia.url("card_save"), typed)
    assert page.status_code == 409
    shown = soup(page)
    assert shown.h1 is not None and shown.h1.get_text() == TITLE
    link = shown.find("a", string="Open it again")
    assert link is not None and link["href"] == mia.url("card_edit")
    assert await cards(pool) == before

    # Each card's own editor saves as before.
    for phone, email in ((ana, "ana.ruiz@example.com"), (mia, "mia.chen@example.com")):
        mine = {**editor(await phone.get(phone.url("card_edit"))), "email": email}
        assert (await phone.post(phone.url("card_save"), mine)).status_code == 303
    assert [email for _, email, _ in await cards(pool)] == [
        "ana.ruiz@example.com",
        "mia.chen@example.com",
    ]


async def test_the_editor_refused_as_signed_out_still_names_its_card(new_phone, pool):
    ana, mia = await ana_and_mia(new_phone)
    typed = {**editor(await ana.get(ana.url("card_edit"))), "headline": "Head of talent"}
    # Sent from a browser signed out since: refused, the form kept, still naming Ana's card ...
    signed_out = await new_phone()
    refused = await signed_out.post(signed_out.url("card_save"), typed, htmx=True)
    assert refused.status_code == 403
    assert editor(refused)["account"] == typed["account"]
    # ... so once Mia signs in on it, saving again does not write Ana's form onto Mia's card.
    before = await cards(pool)
    assert (await mia.post(mia.url("card_save"), editor(refused))).status_code == 409
    assert await cards(pool) == before
