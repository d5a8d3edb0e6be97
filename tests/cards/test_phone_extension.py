"""A phone number with an extension is refused in words: stored numbers are E.164, which has
no extension, so "+1 415 555 0134 ext 12" was saved as +14155550134 and the 12 silently lost."""

from __future__ import annotations

import pytest

from server.cards import fields
from server.cards.fields import BY_NAME, Invalid, clean
from tests.cards.test_linkedin_handles import said_of
from tests.phone import DEFAULT_CARD, soup

PHONE = BY_NAME["phone"]


@pytest.mark.parametrize(
    "raw",
    ["+1 415 555 0134 ext 12", "+1 415 555 0134 ext. 12", "(415) 555-0134 x12",
     "+1 415 555 0134 #12", "+1 415 555 0134;ext=12", "+44 20 7946 0018 ext 5",
     "0044 20 7946 0018 ext 5"],
)  # fmt: skip
def test_an_extension_is_refused_not_dropped(raw: str) -> None:
    with pytest.raises(Invalid) as refused:
        clean(PHONE, raw, "US")
    assert str(refused.value) == (
        "We can't keep an extension: leave it out, or put it in your headline."
    )


@pytest.mark.parametrize(
    ("raw", "stored"),
    [("+1 415 555 0134", "+14155550134"), ("(415) 555-0134", "+14155550134"),
     ("1-800-FLOWERS", "+18003569377")],
)  # fmt: skip
def test_a_number_without_one_is_kept_as_before(raw: str, stored: str) -> None:
    assert clean(PHONE, raw, "US") == stored


async def test_saving_a_card_with_an_extension_says_so_and_stores_nothing(new_phone, pool):
    dana = await new_phone()
    response = await dana.post(
        dana.url("card_save"), {**DEFAULT_CARD, "phone": "+1 415 555 0134 ext 12"}
    )
    assert response.status_code == 422
    assert said_of(soup(response), "phone") == fields.PHONE_EXTENSION
    assert await pool.fetchval("SELECT count(*) FROM cards") == 0
