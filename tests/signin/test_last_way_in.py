"""A card's last way in (accounts.ways_in): no address a code opens it with, no passkey, no
other browser. Settings says so by "Sign out of this device" and asks twice; signing out
anyway says plainly that nobody can open the card again, never "Your account is still yours".
Keeping apart a card only this browser opened says it is lost too. Adding a first passkey
while the card's address is unconfirmed says codes to it no longer sign in."""

from __future__ import annotations

from tests.phone import soup, text_of
from tests.signin.authenticator import SoftAuthenticator
from tests.signin.test_guests import signs_in
from tests.signin.test_moving import show_code
from tests.signin.test_passkeys import add_passkey

STILL_YOURS = "Your account is still yours: sign in again from the start page."
ONLY_WAY = "This device is the only way into your card."
NOBODY = "Nobody can open your card again, not even you: this browser was its only way in."


async def _phone_only(new_phone, name: str = "Dana Lee"):  # type: ignore[no-untyped-def]
    """A card made with a phone number only, in one browser, with a contact (Mia swapped)."""
    dana = await new_phone()
    await dana.make_card(name=name, email="", phone="+1 415 555 0100")
    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email="mia@example.com")
    await mia.post((await dana.share_link()) + "/swap")
    return dana


async def test_settings_warns_by_sign_out_when_it_is_the_only_way_in(new_phone, pool):
    dana = await _phone_only(new_phone)
    page = await dana.get(dana.url("settings"))
    warning = soup(page).select_one("#only-way-in")
    assert warning is not None, text_of(page)
    said = warning.get_text(" ", strip=True)
    assert ONLY_WAY in said and "nobody can open it again" in said
    links = {a.get_text(strip=True): a["href"] for a in warning.select("a")}
    assert links["add a passkey"] == "#passkeys-title"
    assert links["add your email to your card"] == dana.url("card_edit")
    assert links["move it to another phone"] == dana.url("move")
    # Asked twice: the first tap opens what it costs, the second signs out.
    asked = soup(page).select_one("details#sign-out")
    assert asked.summary.get_text(strip=True) == "Sign out of this device…"
    assert asked.select_one("button[type=submit]").get_text(strip=True) == "Sign out anyway"
    assert asked.select_one("input[name=anyway]")["value"] == "1"


async def test_sign_out_without_anyway_stays_signed_in_and_says_why(new_phone, pool):
    dana = await _phone_only(new_phone)
    out = await dana.post(dana.url("sign_out"), {})
    assert out.status_code == 303
    assert out.headers["location"] == dana.url("settings") + "?notice=only_way_in#sign-out"
    assert "clear-site-data" not in out.headers
    assert await pool.fetchval("SELECT count(*) FROM sessions WHERE revoked_at IS NULL") == 2
    back = text_of(await dana.get(out.headers["location"]))
    assert "You are still signed in." in back and ONLY_WAY in back


async def test_signing_out_anyway_says_the_card_is_lost_not_still_yours(new_phone, pool):
    dana = await _phone_only(new_phone)
    out = await dana.post(dana.url("sign_out"), {"anyway": "1"})
    assert out.status_code == 200, text_of(out)
    said = text_of(out)
    assert "You are signed out" in said and NOBODY in said
    assert STILL_YOURS not in said
    assert out.headers["clear-site-data"] == '"cache", "cookies", "storage"'


async def test_a_card_with_another_way_in_signs_out_as_before(new_phone, mail, app):
    dana = await new_phone()
    await dana.make_card()  # dana@example.com on it: a code opens it
    page = await dana.get(dana.url("settings"))
    assert soup(page).select_one("#only-way-in") is None
    assert soup(page).find("button", string="Sign out of this device") is not None
    out = await dana.post(dana.url("sign_out"), {})
    assert out.status_code == 200 and STILL_YOURS in text_of(out)
    # Phone only, but moved to the app too: that browser still opens it.
    safari = await _phone_only(new_phone, name="Sam Park")
    installed = await new_phone()
    code = await show_code(safari)
    assert (await installed.post(installed.url("move_enter_submit"), {"code": code})).is_redirect
    assert soup(await safari.get(safari.url("settings"))).select_one("#only-way-in") is None
    out = await safari.post(safari.url("sign_out"), {})
    assert out.status_code == 200 and STILL_YOURS in text_of(out)
    # ...and once that was the last one, the app's Settings says so.
    assert ONLY_WAY in text_of(await installed.get(installed.url("settings")))


async def test_a_passkey_is_a_way_in(new_phone):
    dana = await _phone_only(new_phone)
    assert (await add_passkey(dana, SoftAuthenticator("http://testserver"))).status_code == 201
    assert soup(await dana.get(dana.url("settings"))).select_one("#only-way-in") is None
    out = await dana.post(dana.url("sign_out"), {})
    assert out.status_code == 200 and STILL_YOURS in text_of(out)


async def test_keeping_apart_a_card_only_this_browser_opened_says_it_is_lost(
    new_phone, pool, mail, app
):
    installed = await _phone_only(new_phone, name="Dana in the app")
    dana = await new_phone()
    await dana.make_card()
    signed = await signs_in(installed, mail, app, "dana@example.com")
    assert signed.headers["location"].startswith(installed.url("sign_in_merge"))
    offer = await installed.get(installed.url("sign_in_merge"))
    said = soup(offer).select_one("#apart-closed")
    assert said is not None, text_of(offer)
    assert "nobody will be able to open the card of Dana in the app again" in said.get_text()
    apart = soup(offer).find("button", string="Keep them apart")
    assert apart["aria-describedby"] == "apart-closed"
    assert soup(offer).find("button", string="Merge into my account") is not None
    kept = await installed.post(installed.url("sign_in_merge_choose"), {"choice": "apart"})
    assert kept.headers["location"] == installed.url("contacts") + "?notice=kept_apart_closed"
    after = text_of(await installed.get(kept.headers["location"]))
    assert "Nobody can open the other card again" in after
    assert "stays its own account" not in after


async def test_keeping_apart_a_card_with_its_own_email_says_it_stays(new_phone, mail, app):
    work = await new_phone()
    await work.make_card(name="Dana at work", email="dana.work@example.com")
    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email="mia@example.com")
    await mia.post((await work.share_link()) + "/swap")
    home = await new_phone()
    await home.make_card()
    await signs_in(work, mail, app, "dana@example.com")
    offer = await work.get(work.url("sign_in_merge"))
    assert soup(offer).select_one("#apart-closed") is None
    assert "aria-describedby" not in soup(offer).find("button", string="Keep them apart").attrs
    kept = await work.post(work.url("sign_in_merge_choose"), {"choice": "apart"})
    assert kept.headers["location"] == work.url("contacts") + "?notice=kept_apart"


async def test_a_first_passkey_says_email_codes_stop_until_confirmed(new_phone, mail, app):
    dana = await new_phone()
    await dana.make_card()  # dana@example.com, never confirmed
    before = await dana.get(dana.url("settings"))
    assert soup(before).select_one("#email-code-off") is None
    assert (await add_passkey(dana, SoftAuthenticator("http://testserver"))).status_code == 201
    page = await dana.get(dana.url("settings"))
    by_passkeys = soup(page).select_one("#passkey-email-code-off")
    assert by_passkeys is not None, text_of(page)
    assert "Codes emailed to dana@example.com no longer sign you in" in by_passkeys.get_text()
    # The way to fix it, right there: "Confirm it's you" with the passkey, then confirm.
    action = by_passkeys.find("a", string="Send me a confirmation")
    assert action["href"] == dana.url("settings_confirm") + "?then=email"
    assert action["aria-label"] == "Send me a confirmation to dana@example.com"
    assert "don't sign you in until you confirm it" in soup(page).select_one("#email-code-off").text
    # As it says: a code to the address no longer signs in (the passkey came first).
    other = await new_phone()
    assert (await signs_in(other, mail, app, "dana@example.com")).status_code == 403


async def test_the_code_step_says_which_card_this_phone_is_signed_in_to(new_phone):
    sam = await new_phone()
    await sam.make_card(name="Sam Park", email="sam@example.com")
    asked = await sam.post(sam.url("sign_in_ask"), {"email": "dana@example.com"})
    step = await sam.get(asked.headers["location"])
    said = soup(step).select_one("#signed-in-as")
    assert said is not None, text_of(step)
    assert "This phone is signed in to Sam Park's card." in said.get_text()


async def test_an_address_confirmed_off_the_card_is_a_way_in(new_phone, pool, mail, app):
    """Her card now carries an unconfirmed work address, but the address she confirmed signs
    in to her account whatever the card says (signin.account_with_email): her one browser is
    not her last way in, and Settings does not say it is."""
    from tests.signin.test_confirmed_address_off_the_card import (
        dana_confirmed_then_changed_her_card,
    )

    dana = await dana_confirmed_then_changed_her_card(new_phone, mail, app)
    await pool.execute(
        "UPDATE sessions SET revoked_at = now() WHERE revoked_at IS NULL AND id <> ("
        " SELECT min(id) FROM sessions WHERE revoked_at IS NULL)"
    )
    page = await dana.get(dana.url("settings"))
    assert soup(page).select_one("#only-way-in") is None, text_of(page)
    assert ONLY_WAY not in text_of(page)
