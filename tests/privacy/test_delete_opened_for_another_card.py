""" "Delete my account for good" on a page opened for one card, sent while another card is
signed in on this phone now (switched in another tab): refused (409), saying so, and neither
account deleted, even when the card signed in now has no way of proof but the typed word."""

from __future__ import annotations

from typing import Any

from bs4 import Tag

from server.privacy.deletion import TYPED
from tests.phone import soup, text_of

TITLE = "Opened for another card"
NOTHING_CHANGED = "so nothing was changed"


async def names(pool: Any) -> list[str]:
    return [row["name"] for row in await pool.fetch("SELECT name FROM cards ORDER BY name")]


async def test_deleting_from_the_page_of_the_card_signed_in_before_deletes_nobody(new_phone, pool):
    # Neither has a confirmed address or a passkey: typing the word is all it takes.
    ana = await new_phone()
    await ana.make_card(name="Ana Ruiz", email="ana@example.com")
    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email="mia@example.com")
    form = soup(await ana.get(ana.url("delete_account"))).find("form", id="delete-account")
    assert isinstance(form, Tag)
    sent = {str(field["name"]): str(field.get("value", "")) for field in form.find_all("input")}
    sent["confirm"] = TYPED

    # Ana's page is open in a tab; another tab switched this phone to Mia's card.
    refused = await mia.post(str(form["action"]), sent)
    assert refused.status_code == 409
    shown = soup(refused)
    assert shown.h1 is not None and shown.h1.get_text() == TITLE
    assert NOTHING_CHANGED in text_of(refused)
    link = shown.find("a", string="Open it again")
    assert isinstance(link, Tag) and link["href"] == mia.url("delete_account")
    assert await names(pool) == ["Ana Ruiz", "Mia Chen"]
    assert (await mia.get(mia.url("card"))).status_code == 200, "Mia is still signed in"

    # From her own page, Ana's account goes as before.
    deleted = await ana.post(str(form["action"]), sent)
    assert deleted.status_code == 303
    assert await names(pool) == ["Mia Chen"]
