"""The share page opened for one card, its "Make a new code" or "Ask for their details first"
sent while another card is signed in on this phone now (switched in another tab): refused
(409) in opened_for's words, and neither card's code nor choice changes (a new code would stop
the other card's printed codes and NFC tags working); each card's own page does as before."""

from __future__ import annotations

from typing import Any

from bs4 import Tag

from tests.cards.test_save_opened_for_another_card import NOTHING_CHANGED, TITLE, ana_and_mia
from tests.phone import Phone, soup, text_of


async def share_form(phone: Phone, selector: str) -> tuple[str, dict[str, str]]:
    """A form of this phone's share page: where it goes and its hidden fields."""
    form = soup(await phone.get(phone.url("share"))).select_one(selector)
    assert isinstance(form, Tag)
    sent = {str(i["name"]): str(i.get("value", "")) for i in form.select("input[type=hidden]")}
    return str(form["action"]), sent


async def reset_form(phone: Phone) -> tuple[str, dict[str, str]]:
    return await share_form(phone, f"form[action='{phone.url('share_reset')}']")


async def sharing(pool: Any) -> dict[str, tuple[int, bool]]:
    rows = await pool.fetch(
        "SELECT name, share_generation, ask_details_first FROM cards ORDER BY account_id"
    )
    return {row["name"]: (row["share_generation"], row["ask_details_first"]) for row in rows}


async def test_a_new_code_from_the_page_of_the_card_signed_in_before_keeps_both_codes(
    new_phone, pool
):
    ana, mia = await ana_and_mia(new_phone)
    mia_link = await mia.share_link()
    before = await sharing(pool)
    # Ana's QR code page is open in a tab; another tab switched this phone to Mia's card.
    action, sent = await reset_form(ana)

    refused = await mia.post(action, sent)
    assert refused.status_code == 409
    shown = soup(refused)
    assert shown.h1 is not None and shown.h1.get_text() == TITLE
    assert NOTHING_CHANGED in text_of(refused)
    link = shown.find("a", string="Open it again")
    assert isinstance(link, Tag) and link["href"] == mia.url("share")
    by_htmx = await mia.post(action, sent, htmx=True)
    assert by_htmx.status_code == 409 and by_htmx.headers["HX-Retarget"] == "#flash"
    assert await sharing(pool) == before
    visitor = await new_phone()
    assert (await visitor.get(mia_link)).status_code == 200, "Mia's printed code still works"

    # From its own page, each card gets a new code.
    for phone in (ana, mia):
        action, sent = await reset_form(phone)
        assert (await phone.post(action, sent)).status_code == 303
    assert {name: gen for name, (gen, _) in (await sharing(pool)).items()} == {
        name: gen + 1 for name, (gen, _) in before.items()
    }


async def test_ask_first_from_the_page_of_the_card_signed_in_before_changes_neither(
    new_phone, pool
):
    ana, mia = await ana_and_mia(new_phone)
    before = await sharing(pool)
    # Ana's QR code page is open in a tab; this phone is now Mia's. The switch is turned on.
    action, sent = await share_form(ana, "#ask-first")
    sent["ask_details_first"] = "on"

    refused = await mia.post(action, sent, htmx=True)
    assert refused.status_code == 409
    assert refused.headers["HX-Retarget"] == "#flash"
    said = text_of(refused)
    assert TITLE in said and NOTHING_CHANGED in said and "On:" not in said
    assert (await mia.post(action, sent)).status_code == 409
    assert await sharing(pool) == before

    # From Mia's own page, the switch turns on for Mia only.
    action, sent = await share_form(mia, "#ask-first")
    saved = await mia.post(action, {**sent, "ask_details_first": "on"}, htmx=True)
    assert saved.status_code == 200 and "On: they leave their details first." in text_of(saved)
    assert {name: ask for name, (_, ask) in (await sharing(pool)).items()} == {
        "Ana Ruiz": False,
        "Mia Chen": True,
    }
