"""The code step's words are true for every address a code goes to: one on a card, and one
confirmed for an account whose card no longer shows it (signin.account_with_email), which "If
… is on a card" denied. And they are the same words when no account has the address, so a
stranger asking learns nothing."""

from __future__ import annotations

from tests.phone import soup, text_of
from tests.signin.test_confirmed_address_off_the_card import (
    DANA,
    WORK,
    dana_confirmed_then_changed_her_card,
)
from tests.signin.test_routes import ask_code

SENT = "If {} is on a card or confirmed for one, we sent it a code. It works for 10 minutes."
AGAIN = "New code sent. If {} is on a card or confirmed for one, it is on its way;"


def status(page) -> str:  # type: ignore[no-untyped-def]
    return " ".join(soup(page).select_one("p[role=status]").get_text(" ", strip=True).split())


async def test_one_answer_for_a_confirmed_address_a_card_address_and_nobody(
    new_phone, pool, mail, app
):
    await dana_confirmed_then_changed_her_card(new_phone, mail, app)
    phone = await new_phone()
    emails = await pool.fetchval("SELECT count(*) FROM emails WHERE kind = 'code'")
    # DANA: confirmed, off her card; WORK: on her card; nobody's: no account has it.
    for address in (DANA, WORK, "nobody@example.com"):
        page = await ask_code(phone, address)
        assert page.status_code == 200, text_of(page)
        assert status(page) == SENT.format(address)
    # As said: a code went to the two an account has, none to the third.
    sent = await pool.fetchval("SELECT count(*) FROM emails WHERE kind = 'code'")
    assert sent - emails == 2


async def test_a_new_code_is_said_alike(new_phone, pool, mail, app):
    await dana_confirmed_then_changed_her_card(new_phone, mail, app)
    phone = await new_phone()
    for address in (DANA, "nobody@example.com"):
        asked = await phone.post(phone.url("sign_in_ask"), {"email": address, "again": "1"})
        assert asked.status_code == 303
        assert AGAIN.format(address) in status(await phone.get(asked.headers["location"]))
