""" "Confirm it's you" opened in a browser signed out since (another device signed every
other one out): answered as /settings answers, "Sign in to open this" with a way to sign in,
never "Make my card", which would start a second account."""

from __future__ import annotations

from bs4 import Tag

from tests.phone import soup, text_of


async def test_a_signed_out_browser_is_asked_to_sign_in_not_to_make_a_card(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    await pool.execute("UPDATE sessions SET revoked_at = now()")
    confirm = dana.url("settings_confirm") + "?then=email"

    page = await dana.get(confirm)
    assert page.status_code == 403
    assert page.status_code == (await dana.get(dana.url("settings"))).status_code
    shown = soup(page)
    assert shown.h1 is not None and shown.h1.get_text() == "Sign in to open this"
    assert "You were signed out on this browser" in text_of(page)
    sign_in = shown.find("a", string="Sign in")
    assert isinstance(sign_in, Tag)
    assert str(sign_in["href"]).startswith(dana.url("sign_in"))
    assert "Make my card" not in text_of(page)
    assert shown.find("a", href=dana.url("card")) is None


async def test_a_browser_with_no_card_is_offered_both_ways_in(new_phone):
    visitor = await new_phone()
    page = await visitor.get(visitor.url("settings_confirm") + "?then=passkey")
    assert page.status_code == 404
    said = text_of(page)
    assert "No card on this phone yet" in said and "I already have a card" in said
