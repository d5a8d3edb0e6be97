"""A name with nothing to see is no name: Hangul fillers (U+115F, U+1160, U+3164, U+FFA0), the
blank braille pattern (U+2800), marks alone and spaces show as a blank name in a roster, a
crowd and a notification. The card form, Tap's guest form and "Leave your details" refuse it
on the name field, in words; a name with a letter among them is kept as typed."""

from __future__ import annotations

import pytest

from server.cards import fields
from server.web.forms import plain
from tests.phone import DEFAULT_CARD, soup

BLANKS = [
    "\u3164\u3164",
    "\u115f\u1160",
    "\uffa0 \uffa0",
    "\u2800\u2800\u2800",
    "\u3164\u200b\u3000\u2800",  # with a zero-width space and an ideographic space
    "\u034f\ufe0f\u0301",  # a grapheme joiner, a variation selector, an accent: on nothing
]
SEEN = "Type a name people can see."


@pytest.mark.parametrize("blank", BLANKS)
def test_a_blank_looking_name_is_refused(blank):
    with pytest.raises(fields.Invalid, match=SEEN):
        fields.clean(fields.BY_NAME["name"], plain(blank), "US")


@pytest.mark.parametrize("name", ["Dana Lee", "이영희", "\u3164Dana", "👩🏽\u200d💻", "Zoe\u0308"])
def test_a_name_with_something_to_see_is_kept(name):
    assert fields.clean(fields.BY_NAME["name"], plain(name), "US") == plain(name)


async def test_the_card_form_refuses_a_blank_looking_name(new_phone, pool):
    phone = await new_phone()
    response = await phone.post(phone.url("card_save"), {**DEFAULT_CARD, "name": "\u3164\u3164"})
    assert response.status_code == 422
    assert soup(response).select_one("#err-name").get_text(strip=True) == SEEN
    assert await pool.fetchval("SELECT count(*) FROM cards") == 0


async def test_tap_and_leave_details_refuse_a_blank_looking_name(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    typed = {"name": "\u2800\u3164", "email": "lou@example.com"}
    guest = await dana.post(dana.url("tap_guest"), typed, htmx=True)
    assert guest.status_code == 422
    assert soup(guest).select_one("#qerr-name").get_text(strip=True) == SEEN
    assert await pool.fetchval("SELECT count(*) FROM contacts") == 0

    link = await dana.share_link()
    stranger = await new_phone()
    left = await stranger.post(link + "/details", typed)
    assert left.status_code == 422
    assert SEEN in soup(left).select_one("#qerr-name").get_text(strip=True)
    assert await pool.fetchval("SELECT count(*) FROM cards") == 1
