"""'Which card is yours?' answers only in the browser the code was typed in, and only once:
what stands in for the code is that browser's cookie, never the page's form. A page saved,
copied to another browser, or sent again from history after signing out signs nobody in."""

from __future__ import annotations

import re
from base64 import urlsafe_b64decode, urlsafe_b64encode

from tests.phone import Phone, soup, text_of
from tests.signin.test_routes import ask_code, code_from

CHOICE = "ro_sign_in_choice"
DOMAIN = "testserver.local"
TOO_OLD = "That choice is too old: ask for a new code, and choose within ten minutes."


async def the_question(new_phone, mail, app) -> tuple[Phone, str, dict[str, str]]:
    """Bea and Mallory's cards both carry bea@example.com; on a laptop, Bea types the code
    sent there: the laptop, and what its "This is mine" for Bea's card sends."""
    bea = await new_phone()
    await bea.make_card(name="Bea Stone", email="bea@example.com")
    mallory = await new_phone()
    await mallory.make_card(name="Mallory Mean", email="BEA@example.com")
    laptop = await new_phone()
    await ask_code(laptop, "bea@example.com")
    typed = await laptop.post(
        laptop.url("sign_in_code"),
        {"email": "bea@example.com", "code": await code_from(mail, app)},
    )
    assert typed.headers["location"] == laptop.url("sign_in_choose_page")
    page = soup(await laptop.get(typed.headers["location"]))
    assert page.h1.get_text() == "Which card is yours?"
    button = page.find("button", attrs={"aria-label": re.compile("sign in as Bea Stone")})
    form = button.find_parent("form")
    fields = {f["name"]: f.get("value", "") for f in form.select("input[type=hidden]")}
    return laptop, form["action"], {**fields, "account_id": button["value"]}


async def signed_in_as_bea(phone: Phone) -> bool:
    return "Bea Stone" in text_of(await phone.get(phone.url("card")))


async def test_the_form_alone_signs_nobody_in_from_another_browser(new_phone, mail, app, pool):
    laptop, action, sent = await the_question(new_phone, mail, app)
    sessions = await pool.fetchval("SELECT count(*) FROM sessions")
    other = await new_phone()
    refused = await other.post(action, sent)
    assert refused.status_code == 403 and TOO_OLD in text_of(refused)
    assert not await signed_in_as_bea(other)
    assert await pool.fetchval("SELECT count(*) FROM sessions") == sessions
    # The laptop, with its cookie, still answers.
    assert (await laptop.post(action, sent)).status_code == 303
    assert await signed_in_as_bea(laptop)


async def test_an_answer_sent_again_after_signing_out_signs_nobody_in(new_phone, mail, app):
    """A shared laptop: Bea chooses her card, signs out, and leaves; the next person goes
    Back to the question and sends it again."""
    laptop, action, sent = await the_question(new_phone, mail, app)
    assert (await laptop.post(action, sent)).status_code == 303
    assert CHOICE not in laptop.client.cookies, "the cookie goes with its answer"
    assert (await laptop.post(laptop.url("sign_out"), {})).status_code == 200
    again = await laptop.post(action, sent)
    assert again.status_code == 403 and TOO_OLD in text_of(again)
    assert not await signed_in_as_bea(laptop)


async def test_a_made_up_or_stale_cookie_signs_nobody_in(new_phone, mail, app):
    laptop, action, sent = await the_question(new_phone, mail, app)
    kept = laptop.client.cookies[CHOICE]
    until, token, address = urlsafe_b64decode(kept + "==").decode().split("\n")

    def cookie(*parts: str) -> str:
        return urlsafe_b64encode("\n".join(parts).encode()).decode().rstrip("=")

    for forged in (
        cookie(until, "0" * len(token), address),  # a signature made up
        cookie("1", token, address),  # long over
        cookie(until, token, "mallory@example.com"),  # signed for another address
        "not base64 at all!",
    ):
        laptop.client.cookies.set(CHOICE, forged, domain=DOMAIN)
        refused = await laptop.post(action, sent)
        assert refused.status_code == 403 and TOO_OLD in text_of(refused)
    # A form for another address than the cookie's: an earlier question left open.
    laptop.client.cookies.set(CHOICE, kept, domain=DOMAIN)
    other_address = await laptop.post(action, {**sent, "email": "mallory@example.com"})
    assert other_address.status_code == 403
    assert not await signed_in_as_bea(laptop)
    assert (await laptop.post(action, sent)).status_code == 303
