"""A Settings form sent from a page opened for one card while another is signed in on this
phone now (another tab switched cards): refused (409), saying so, with nothing changed on
the card signed in now: neither its reminders, nor its other browsers, nor its emails."""

from __future__ import annotations

from typing import Any

from bs4 import Tag

from tests.phone import Phone, soup, text_of
from tests.signin.test_guests import signs_in

TITLE = "Opened for another card"
NOTHING_CHANGED = "so nothing was changed"


def form_data(form: Tag) -> dict[str, str]:
    """What the browser sends for ``form`` as shown: its inputs, checked radios only."""
    data = {}
    for field in form.find_all("input"):
        if field.get("type") == "radio" and not field.has_attr("checked"):
            continue
        data[str(field["name"])] = str(field.get("value", ""))
    return data


async def ana_and_mia(new_phone: Any) -> tuple[Phone, Phone]:
    ana = await new_phone()
    await ana.make_card(name="Ana Ruiz", email="ana@example.com")
    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email="mia@example.com")
    return ana, mia


async def preferences(pool: Any, name: str) -> tuple[str, str, str | None]:
    row = await pool.fetchrow(
        "SELECT a.time_zone, a.followup_timing, a.reminders_by FROM accounts a"
        " JOIN cards c ON c.account_id = a.id WHERE c.name = $1",
        name,
    )
    return row["time_zone"], row["followup_timing"], row["reminders_by"]


async def test_saving_the_settings_of_the_card_signed_in_before_changes_nothing(new_phone, pool):
    ana, mia = await ana_and_mia(new_phone)
    # Ana chose no reminders, and her Settings page is open in a tab.
    chose = {"time_zone": "Asia/Tokyo", "followup_timing": "never", "reminders_by": "neither"}
    assert (await ana.post(ana.url("settings_save"), chose)).status_code == 303
    form = soup(await ana.get(ana.url("settings"))).find("form", id="preferences")
    assert isinstance(form, Tag)
    sent = form_data(form)
    mias = await preferences(pool, "Mia Chen")

    # Another tab switched this phone to Mia's card; Save on Ana's page, with htmx and without.
    by_htmx = await mia.post(mia.url("settings_save"), sent, htmx=True)
    assert by_htmx.status_code == 409
    said = text_of(by_htmx)
    assert TITLE in said and NOTHING_CHANGED in said and "saved" not in said
    # Said where the page keeps its notices: the form stays as it was, naming Ana still.
    assert by_htmx.headers["HX-Retarget"] == "#flash"
    page = await mia.post(mia.url("settings_save"), sent)
    assert page.status_code == 409
    shown = soup(page)
    assert shown.h1 is not None and shown.h1.get_text() == TITLE
    assert NOTHING_CHANGED in text_of(page)
    again = shown.find("a", string="Open it again")
    assert isinstance(again, Tag) and again["href"] == mia.url("settings")
    assert await preferences(pool, "Mia Chen") == mias
    assert await preferences(pool, "Ana Ruiz") == ("Asia/Tokyo", "never", "neither")

    # Her own page saves as before.
    mine = soup(await mia.get(mia.url("settings"))).find("form", id="preferences")
    assert isinstance(mine, Tag)
    saved = await mia.post(mia.url("settings_save"), {**form_data(mine), **chose})
    assert saved.status_code == 303
    assert await preferences(pool, "Mia Chen") == ("Asia/Tokyo", "never", "neither")


async def test_sign_out_everywhere_else_from_the_card_signed_in_before_signs_out_nobody(
    new_phone, pool, mail, app
):
    ana, mia = await ana_and_mia(new_phone)
    for address in ("ana@example.com", "mia@example.com"):  # a laptop each, signed in too
        assert (await signs_in(await new_phone(), mail, app, address)).status_code == 303
    form = soup(await ana.get(ana.url("settings"))).find("form", action=ana.url("sign_out_others"))
    assert isinstance(form, Tag)
    signed_in = "SELECT count(*) FROM sessions WHERE revoked_at IS NULL"
    assert await pool.fetchval(signed_in) == 4

    refused = await mia.post(mia.url("sign_out_others"), form_data(form))
    assert refused.status_code == 409
    assert NOTHING_CHANGED in text_of(refused)
    assert await pool.fetchval(signed_in) == 4, "Mia's laptop stays signed in"

    done = await ana.post(ana.url("sign_out_others"), form_data(form))
    assert done.status_code == 303
    assert await pool.fetchval(signed_in) == 3, "Ana's own laptop, signed out"


async def test_send_me_a_confirmation_from_the_card_signed_in_before_sends_nothing(new_phone, pool):
    ana, mia = await ana_and_mia(new_phone)
    form = soup(await ana.get(ana.url("settings"))).find(
        "form", action=ana.url("settings_email_confirm")
    )
    assert isinstance(form, Tag)

    refused = await mia.post(mia.url("settings_email_confirm"), form_data(form))
    assert refused.status_code == 409
    assert NOTHING_CHANGED in text_of(refused)
    assert await pool.fetchval("SELECT count(*) FROM emails") == 0

    sent = await ana.post(ana.url("settings_email_confirm"), form_data(form))
    assert sent.status_code == 303
    assert await pool.fetchval("SELECT count(*) FROM emails") == 1
