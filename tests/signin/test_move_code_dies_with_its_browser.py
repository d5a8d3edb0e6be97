"""A move code works only while the browser that shows it is signed in: Dana shows one on a
borrowed laptop (or a lost phone), then signs that browser out; the code signs nobody in,
and the page that showed it says so."""

from __future__ import annotations

import re

from tests.phone import Phone, soup, text_of
from tests.signin.test_routes import ask_code, code_from

HTMX = {"HX-Request": "true"}
REFUSED = "That code does not work: it may be mistyped, used, or older than five minutes."


async def show_code(phone: Phone) -> tuple[str, str]:
    """The code the move page shows, and the URL its page polls for what became of it."""
    page = await phone.post(phone.url("move_code"), {})
    assert page.status_code == 200
    found = re.search(r"\b([2-9A-HJ-NP-Z]{4})-([2-9A-HJ-NP-Z]{4})\b", text_of(page))
    assert found, text_of(page)
    return found.group(1) + found.group(2), soup(page).select_one("#move-code")["hx-get"]


async def dana_on_phone_and_laptop(new_phone) -> tuple[Phone, Phone]:
    phone = await new_phone()
    await phone.make_card()
    laptop = await new_phone()
    code, _ = await show_code(phone)
    assert (await laptop.post(laptop.url("move_enter_submit"), {"code": code})).status_code == 303
    assert "Dana Lee" in text_of(await laptop.get(laptop.url("card")))
    return phone, laptop


async def refused(code: str, new_phone) -> None:
    stranger = await new_phone()
    typed = await stranger.post(stranger.url("move_enter_submit"), {"code": code})
    assert typed.status_code == 422 and REFUSED in text_of(typed), text_of(typed)
    assert "Dana Lee" not in text_of(await stranger.get(stranger.url("card")))


async def test_every_other_browser_signed_out_takes_their_codes_with_them(new_phone, pool):
    phone, laptop = await dana_on_phone_and_laptop(new_phone)
    code, poll = await show_code(laptop)
    out = await phone.post(phone.url("sign_out_others"), {})
    assert out.status_code == 303
    await refused(code, new_phone)
    # The laptop's page, still open, says the code is gone: now it is.
    gone = await laptop.get(poll, headers=HTMX)
    assert gone.status_code == 286 and "This code is gone. It no longer signs anyone in." in (
        text_of(gone)
    )
    assert await pool.fetchval("SELECT count(*) FROM sessions WHERE revoked_at IS NULL") == 1


async def test_one_browser_signed_out_from_settings_takes_its_code(new_phone, pool):
    phone, laptop = await dana_on_phone_and_laptop(new_phone)
    code, _ = await show_code(laptop)
    laptop_id = await pool.fetchval("SELECT max(id) FROM sessions")  # signed in last
    out = await phone.post(phone.url("sign_out_session", session_id=laptop_id), {})
    assert out.status_code == 303
    await refused(code, new_phone)


async def test_signing_out_the_browser_that_shows_a_code_ends_it(new_phone):
    _, laptop = await dana_on_phone_and_laptop(new_phone)
    code, poll = await show_code(laptop)
    assert (await laptop.post(laptop.url("sign_out"), {})).status_code == 200
    await refused(code, new_phone)
    assert "This code is gone." in text_of(await laptop.get(poll, headers=HTMX))


async def test_a_code_shown_in_a_browser_still_signed_in_works(new_phone):
    """Signing out one browser leaves the codes of the others alone."""
    phone, laptop = await dana_on_phone_and_laptop(new_phone)
    code, poll = await show_code(phone)
    assert (await laptop.post(laptop.url("sign_out"), {})).status_code == 200
    assert (await phone.get(poll, headers=HTMX)).status_code == 204, "still waiting"
    installed = await new_phone()
    typed = await installed.post(installed.url("move_enter_submit"), {"code": code})
    assert typed.status_code == 303
    assert "Dana Lee" in text_of(await installed.get(installed.url("card")))
    assert "Done:" in text_of(await phone.get(poll, headers=HTMX))


async def test_the_page_of_a_code_whose_browser_signed_in_anew_is_honest(new_phone, mail, app):
    """Signing in again where the account is signed in already ends the old session (one
    browser in Settings, not two): the code it showed signs nobody in, and its page, still
    open there, says it is gone rather than waiting."""
    phone = await new_phone()
    await phone.make_card()
    code, poll = await show_code(phone)
    await ask_code(phone, "dana@example.com")
    again = await phone.post(
        phone.url("sign_in_code"),
        {"email": "dana@example.com", "code": await code_from(mail, app)},
    )
    assert again.status_code == 303
    gone = await phone.get(poll, headers=HTMX)
    assert gone.status_code == 286 and "This code is gone." in text_of(gone)
    await refused(code, new_phone)
