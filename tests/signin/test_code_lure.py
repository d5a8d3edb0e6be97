"""An email code never signs its owner in, unasked, to a card someone else made with her
address, nor confirms her address for it: when a card carrying the address has a way of
proof the code may not open (a passkey, the address not confirmed for it), "Which card is
yours?" says that another card carries the address, to sign in to with that proof, beside the
cards the code opens (server/signin/routes.py, signin.cards_to_choose). Review r34. Only
that: not its name, headline or age, which anyone who holds the address could read by making
a card with it and asking a code (review r36)."""

from __future__ import annotations

import re

from tests.mailing import code_sent
from tests.phone import soup, text_of, words
from tests.signin.authenticator import SoftAuthenticator
from tests.signin.test_passkeys import add_passkey
from tests.signin.test_proving import SIGN_IN_SUBJECT, THIEF, dana_with_a_confirmed_address

DANA = "dana@example.com"


async def code_typed(phone, app, mail, address: str, *, htmx: bool = False):  # type: ignore[no-untyped-def]
    """Asks a code for ``address`` on ``phone`` and types the one that came."""
    asked = await phone.post(phone.url("sign_in_ask"), {"email": address})
    assert asked.status_code == 303
    code = await code_sent(app, mail, SIGN_IN_SUBJECT, address)
    return await phone.post(phone.url("sign_in_code"), {"email": address, "code": code}, htmx=htmx)


async def test_her_code_asks_which_card_rather_than_opening_the_one_someone_else_made(
    new_phone, pool, app, mail
):
    """Dana's card has a passkey, her address not confirmed for it yet; Mallory makes a card
    with Dana's address. Dana's right code on a new phone used to say "Signed in." into
    Mallory's card, confirming Dana's address for it."""
    dana = await new_phone()
    await dana.make_card(name="Dana Lee", headline="Piano teacher", email=DANA)
    assert (await add_passkey(dana, SoftAuthenticator("http://testserver"))).status_code == 201
    mallory = await new_phone()
    await mallory.make_card(name="Mallory Mean", headline="Not Dana", email=DANA)

    laptop = await new_phone()
    typed = await code_typed(laptop, app, mail, DANA)
    assert typed.status_code == 303
    assert typed.headers["location"] == laptop.url("sign_in_choose_page")
    assert (
        await pool.fetchval("SELECT count(*) FROM sessions WHERE signed_in_by = 'email_code'") == 0
    ), "nobody signed in unasked"
    assert await pool.fetchval("SELECT count(*) FROM address_confirmations") == 0

    question = await laptop.get(typed.headers["location"])
    page = soup(question)
    assert page.h1.get_text() == "Which card is yours?"
    # Nothing of her card: Mallory, who made his with her address, would read it here.
    for hers in ("Dana Lee", "Piano teacher"):
        assert hers not in question.text
    assert words(page.main).count("Made ") == 1, "only Mallory's card says when it was made"
    cards = {c.h2.get_text(): c for c in page.select("main .card")}
    assert list(cards) == ["Mallory Mean"]
    assert cards["Mallory Mean"].find("button", string="This is mine: sign in") is not None
    # Her own card: one line, to sign in to with her passkey; no button signs in to it by code.
    assert (
        "Another card carries this address, but this code can't open it. If it's yours, sign"
        " in with its passkey or the address you confirmed for it."
    ) in words(page.main)
    assert page.find("button", string="Sign in with a passkey") is not None
    assert len(page.select("main form button")) == 1

    # Her card by a made-up choice: refused, nothing signed in or confirmed.
    form = cards["Mallory Mean"].find("form")
    fields = {f["name"]: f.get("value", "") for f in form.select("input[type=hidden]")}
    dana_id = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Dana Lee'")
    forged = await laptop.post(form["action"], {**fields, "account_id": str(dana_id)})
    assert forged.status_code == 403
    assert "isn't confirmed for it yet" in text_of(forged)
    assert await pool.fetchval("SELECT count(*) FROM address_confirmations") == 0
    assert "Mallory" not in text_of(await laptop.get(laptop.url("card")))


async def test_a_thief_who_put_his_address_on_her_card_chooses_his_own(new_phone, pool, app, mail):
    """The same question the other way round: whoever held Dana's phone put his address on
    her card, and has a card of his own with it. His code cannot open hers, and he signs in
    to his own by choosing it, knowingly."""
    dana = await dana_with_a_confirmed_address(new_phone, pool)
    await dana.make_card(email=THIEF)
    thief = await new_phone()
    await thief.make_card(name="Theo Thief", headline="Mine", email=THIEF)

    laptop = await new_phone()
    typed = await code_typed(laptop, app, mail, THIEF)
    assert typed.headers["location"] == laptop.url("sign_in_choose_page")
    question = await laptop.get(typed.headers["location"])
    for hers in ("Dana Lee", "Recruiter, fashion and apparel"):
        assert hers not in question.text, "his code tells him nothing of her card"
    page = soup(question)
    cards = {c.h2.get_text(): c for c in page.select("main .card")}
    assert list(cards) == ["Theo Thief"]
    assert "Another card carries this address, but this code can't open it." in text_of(question)
    button = page.find("button", attrs={"aria-label": re.compile("sign in as Theo Thief")})
    form = button.find_parent("form")
    fields = {f["name"]: f.get("value", "") for f in form.select("input[type=hidden]")}
    chosen = await laptop.post(form["action"], {**fields, "account_id": button["value"]})
    assert chosen.status_code == 303
    assert "Theo Thief" in text_of(await laptop.get(laptop.url("card")))
    confirmed = await pool.fetch(
        "SELECT account_id FROM address_confirmations WHERE address = $1", THIEF
    )
    thief_id = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Theo Thief'")
    assert [row["account_id"] for row in confirmed] == [thief_id]


async def test_not_confirmed_here_answers_the_code_form_with_its_words_not_a_page_in_it(
    new_phone, pool, app, mail
):
    """The code form swaps its answer in for itself (htmx): the refusal goes in its place,
    said aloud, not a whole page (its own head, heading and forms) inside the form; the
    page around it keeps "Sign in with a passkey". Without htmx, the first step's page."""
    dana = await dana_with_a_confirmed_address(new_phone, pool)
    await dana.make_card(email=THIEF)
    thief = await new_phone()
    typed = await code_typed(thief, app, mail, THIEF, htmx=True)
    assert typed.status_code == 403
    assert "HX-Request" in typed.headers["vary"]
    answer = soup(typed)
    assert answer.find(["html", "head", "main", "h1", "form"]) is None, typed.text
    alert = answer.select_one("[role=alert]")
    assert alert is not None and alert.get_text(" ", strip=True) == (
        "This address is on a Reachout card but isn't confirmed for it yet, so it can't sign"
        " you in. Sign in with your passkey or the address you confirmed, then confirm this"
        " one in Settings."
    )
    plain = await code_typed(await new_phone(), app, mail, THIEF)
    assert plain.status_code == 403
    page = soup(plain)
    assert page.h1.get_text() == "I already have a card"
    assert "isn't confirmed for it yet" in page.select_one("#sign-in [role=alert]").get_text()
