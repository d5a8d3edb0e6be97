"""Confirm it's you before adding a way of proof: whoever holds an unlocked phone for a minute
must not add their own passkey to its owner's account, nor make their own address one that
signs in to it (by Settings' confirmation, or by signing in with a code to it)."""

from __future__ import annotations

import re

from tests.mailing import code_sent, confirm_addresses
from tests.phone import soup, text_of
from tests.signin.authenticator import SoftAuthenticator
from tests.signin.test_moving import show_code
from tests.signin.test_passkeys import JSON, add_passkey, options

DANA = "dana@example.com"
THIEF = "thief@example.com"
PROVE_SUBJECT = re.compile(r"^(\d{8}) is your code to confirm it's you$")
SIGN_IN_SUBJECT = re.compile(r"^Your Reachout code: (\d{8})$")


async def dana_with_a_confirmed_address(new_phone, pool):  # type: ignore[no-untyped-def]
    """Dana's phone, signed in since she made her card there (long ago), her address
    confirmed."""
    dana = await new_phone()
    await dana.make_card()
    await confirm_addresses(pool, DANA)
    return dana


async def confirm_it_is_me(phone, app, mail, then: str = "passkey") -> None:  # type: ignore[no-untyped-def]
    """Settings' "Confirm it's you" with a code emailed to her confirmed address."""
    page = await phone.get(phone.url("settings_confirm") + f"?then={then}")
    assert page.status_code == 200
    assert soup(page).h1.get_text(strip=True) == "Confirm it's you"
    send = soup(page).find("button", string="Email me a code").find_parent("form")
    asked = await phone.post(send["action"], {"then": then})
    assert asked.status_code == 303, text_of(asked)
    step = await phone.get(asked.headers["location"])
    assert f"We sent a code to {DANA}" in text_of(step)
    code = await code_sent(app, mail, PROVE_SUBJECT, DANA)
    check = soup(step).find("button", string="Confirm it's me").find_parent("form")
    checked = await phone.post(check["action"], {"then": then, "code": code})
    assert checked.status_code == 303, text_of(checked)
    assert checked.headers["location"].startswith(phone.url("settings"))


async def test_adding_a_passkey_asks_for_a_fresh_proof_and_works_after_the_code(
    new_phone, pool, app, mail
):
    dana = await new_phone()
    await dana.make_card()
    keychain = SoftAuthenticator("http://testserver")
    # A registration asked for while she had no way of proof, finished after her address was
    # confirmed: refused too (the server asks again when the passkey arrives).
    early = keychain.create(await options(dana, "passkey_register_options"))
    await confirm_addresses(pool, DANA)

    refused = await dana.client.post(dana.url("passkey_register_options"), headers=JSON)
    assert refused.status_code == 403
    assert refused.json()["error"].startswith("Confirm it's you first")
    assert refused.json()["confirm"] == dana.url("settings_confirm") + "?then=passkey"
    late = await dana.client.post(dana.url("passkey_register"), json=early, headers=JSON)
    assert late.status_code == 403
    assert late.json()["error"].startswith("Confirm it's you first")
    assert await pool.fetchval("SELECT count(*) FROM passkeys") == 0
    # Settings offers "Add a passkey" as the way to "Confirm it's you".
    settings = soup(await dana.get(dana.url("settings")))
    link = settings.find("a", string="Add a passkey")
    assert link is not None and link["href"] == dana.url("settings_confirm") + "?then=passkey"

    await confirm_it_is_me(dana, app, mail)
    # Where the code's check lands: the line says what comes next there, on that visit only.
    settings = await dana.get(dana.url("settings") + "?confirmed=passkey")
    assert "It's you: confirmed. You can add a passkey now." in text_of(settings)
    assert soup(settings).find("button", string="Add a passkey") is not None
    added = await add_passkey(dana, keychain)
    assert added.status_code == 201, added.text
    assert await pool.fetchval("SELECT count(*) FROM passkeys") == 1


async def test_a_wrong_code_confirms_nothing(new_phone, pool, app, mail):
    dana = await dana_with_a_confirmed_address(new_phone, pool)
    await dana.post(dana.url("settings_confirm_send_code"), {"then": "passkey"})
    code = await code_sent(app, mail, PROVE_SUBJECT, DANA)
    wrong = "0" * 8 if code != "0" * 8 else "1" * 8
    typed = await dana.post(dana.url("settings_confirm_check_code"), {"code": wrong})
    assert typed.status_code == 422
    error = soup(typed).select_one(".error")
    assert error.get_text(strip=True) == "That code is not right. 4 tries left."
    refused = await dana.client.post(dana.url("passkey_register_options"), headers=JSON)
    assert refused.status_code == 403


async def test_a_fresh_email_code_sign_in_adds_a_passkey_at_once(new_phone, pool, app, mail):
    """On her new iPhone she signs in by email code, then adds a passkey: asked nothing more.
    A move code (which whoever holds the unlocked phone can show) proves nothing."""
    dana = await dana_with_a_confirmed_address(new_phone, pool)
    moved = await new_phone()
    entered = await moved.post(moved.url("move_enter_submit"), {"code": await show_code(dana)})
    assert entered.status_code == 303
    refused = await moved.client.post(moved.url("passkey_register_options"), headers=JSON)
    assert refused.status_code == 403
    iphone = await new_phone()
    await iphone.post(iphone.url("sign_in_ask"), {"email": DANA})
    code = await code_sent(app, mail, SIGN_IN_SUBJECT, DANA)
    signed = await iphone.post(iphone.url("sign_in_code"), {"email": DANA, "code": code})
    assert signed.status_code == 303
    assert soup(await iphone.get(iphone.url("settings"))).find("button", string="Add a passkey")
    added = await add_passkey(iphone, SoftAuthenticator("http://testserver"))
    assert added.status_code == 201, added.text


async def test_settings_confirmation_of_a_new_address_waits_for_the_proof(
    new_phone, pool, app, mail
):
    dana = await dana_with_a_confirmed_address(new_phone, pool)
    # Whoever holds her phone puts their address on her card, and asks to confirm it.
    await dana.make_card(email=THIEF)
    settings = soup(await dana.get(dana.url("settings")))
    link = settings.find("a", string="Send me a confirmation")
    assert link is not None and link["href"] == dana.url("settings_confirm") + "?then=email"
    refused = await dana.post(dana.url("settings_email_confirm"))
    assert refused.status_code == 403
    alert = soup(refused).select_one("#email-section [role=alert]")
    assert alert is not None and alert.get_text(strip=True).startswith("Confirm it's you first")
    assert await pool.fetchval("SELECT count(*) FROM emails WHERE kind = 'confirm'") == 0

    # Her own code, to her confirmed address: then it goes.
    await confirm_it_is_me(dana, app, mail, then="email")
    sent = await dana.post(dana.url("settings_email_confirm"))
    assert sent.status_code == 303
    assert "notice=confirmation_sent" in sent.headers["location"]
    assert await pool.fetchval("SELECT to_address FROM emails WHERE kind = 'confirm'") == THIEF


async def test_an_address_put_on_her_card_does_not_sign_in_to_it(new_phone, pool, app, mail):
    dana = await dana_with_a_confirmed_address(new_phone, pool)
    await dana.make_card(email=THIEF)
    # The thief, on their own phone: asking reads as for an address no card carries.
    thief = await new_phone()
    asked = await thief.post(thief.url("sign_in_ask"), {"email": THIEF})
    nobody = await new_phone()
    unknown = await nobody.post(nobody.url("sign_in_ask"), {"email": "nobody@example.com"})
    assert asked.status_code == unknown.status_code == 303
    step = text_of(await thief.get(asked.headers["location"]))
    assert step == text_of(await nobody.get(unknown.headers["location"])).replace(
        "nobody@example.com", THIEF
    )
    code = await code_sent(app, mail, SIGN_IN_SUBJECT, THIEF)
    typed = await thief.post(thief.url("sign_in_code"), {"email": THIEF, "code": code})
    assert typed.status_code == 403
    alert = soup(typed).select_one("[role=alert]")
    assert alert is not None and "isn't confirmed for it yet" in alert.get_text(" ", strip=True)
    assert "Dana Lee" not in text_of(await thief.get(thief.url("card")))
    assert (
        await pool.fetchval("SELECT count(*) FROM sessions WHERE signed_in_by = 'email_code'") == 0
    )
    assert (
        await pool.fetchval("SELECT count(*) FROM address_confirmations WHERE address = $1", THIEF)
        == 0
    )


async def test_a_card_with_no_way_of_proof_still_signs_in_by_code(new_phone, pool, app, mail):
    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email="mia@example.com")
    laptop = await new_phone()
    await laptop.post(laptop.url("sign_in_ask"), {"email": "mia@example.com"})
    code = await code_sent(app, mail, SIGN_IN_SUBJECT, "mia@example.com")
    signed = await laptop.post(
        laptop.url("sign_in_code"), {"email": "mia@example.com", "code": code}
    )
    assert signed.status_code == 303
    assert "Mia Chen" in text_of(await laptop.get(laptop.url("card")))
    assert await pool.fetchval("SELECT count(*) FROM address_confirmations") == 1


async def test_of_two_cards_with_the_address_the_code_asks_which_opening_only_the_one_it_may(
    new_phone, pool, app, mail
):
    """Ben's card carries Dana's address too (a slip), and Dana's has a passkey, her address
    unconfirmed: whose the code is cannot be told, so it asks "Which card is yours?" (it
    opened Ben's unasked, confirming Dana's address for it: review r34). Hers is listed to
    sign in to with her passkey; Ben's is opened once chosen."""
    dana = await new_phone()
    await dana.make_card()
    assert (await add_passkey(dana, SoftAuthenticator("http://testserver"))).status_code == 201
    ben = await new_phone()
    await ben.make_card(name="Ben Ode", email=DANA)
    await dana.get(dana.url("card"))  # hers the more recently seen
    laptop = await new_phone()
    await laptop.post(laptop.url("sign_in_ask"), {"email": DANA})
    code = await code_sent(app, mail, SIGN_IN_SUBJECT, DANA)
    asked = await laptop.post(laptop.url("sign_in_code"), {"email": DANA, "code": code})
    assert asked.headers["location"] == laptop.url("sign_in_choose_page")
    page = soup(await laptop.get(asked.headers["location"]))
    [button] = page.select("main .card button")
    assert button["aria-label"].startswith("This is mine: sign in as Ben Ode")
    form = button.find_parent("form")
    fields = {f["name"]: f.get("value", "") for f in form.select("input[type=hidden]")}
    signed = await laptop.post(form["action"], {**fields, "account_id": button["value"]})
    assert signed.status_code == 303
    assert "Ben Ode" in text_of(await laptop.get(laptop.url("card")))
