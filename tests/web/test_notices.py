"""One notice mechanism: ``?notice=<key>`` from one table, shown once, never a free text."""

from __future__ import annotations

from tests.phone import text_of


async def test_a_redirect_names_its_notice_and_the_page_shows_it(new_phone):
    phone = await new_phone()
    await phone.make_card()
    saved = await phone.post(phone.url("card_save"), {"name": "Dana Lee", "email": "d@e.co"})
    assert saved.headers["location"] == phone.url("card") + "?notice=card_saved"
    assert "Saved." in text_of(await phone.get(saved.headers["location"]))
    reset = await phone.post(phone.url("share_reset"))
    assert reset.headers["location"] == phone.url("share") + "?notice=code_reset"
    assert "New code made" in text_of(await phone.get(reset.headers["location"]))
    assert "New code made" not in text_of(await phone.get(phone.url("share")))


async def test_an_unknown_notice_shows_nothing_and_text_cannot_be_injected(new_phone):
    phone = await new_phone()
    await phone.make_card()
    page = await phone.get(phone.url("card") + "?notice=You+won+a+prize")
    assert page.status_code == 200
    assert "prize" not in text_of(page)
