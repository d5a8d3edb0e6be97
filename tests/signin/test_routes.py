"""Signing in with a code by email, and signing out: one account on every device."""

from __future__ import annotations

import asyncio
import re

from server.signin import moving
from tests.limit_counts import says_wait
from tests.mailing import running_mail_worker, sent_once
from tests.phone import soup, text_of
from tests.reminders import subscribe
from tests.signin.test_moving import show_code

IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15"
    " (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1"
)
MAC_CHROME = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36"
    " (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)


async def ask_code(phone, address: str):
    """ "Send me a code", and the code step it leads to (by GET: see below)."""
    asked = await phone.post(phone.url("sign_in_ask"), {"email": address})
    if asked.status_code != 303:
        return asked
    return await phone.get(asked.headers["location"])


async def test_the_code_step_is_a_page_of_its_own_that_sends_nothing(new_phone, pool, mail, app):
    """A reload of the code step shows it again (a POST's answer there made the browser ask
    to send the form again: a new code); once its code signed in, it is the first step."""
    dana = await new_phone()
    await dana.make_card()
    laptop = await new_phone()
    asked = await laptop.post(laptop.url("sign_in_ask"), {"email": "Dana@Example.com"})
    assert asked.status_code == 303
    step = asked.headers["location"]
    # The address is not in the URL (browser history, access logs): the asking is.
    assert step.startswith(laptop.url("sign_in_code_step") + "?asked=")
    assert "dana" not in step.lower() and "example" not in step
    for _ in range(2):  # opened, then reloaded
        page = await laptop.get(step)
        assert page.status_code == 200
        assert (
            "If dana@example.com is on a card or confirmed for one, we sent it a code"
        ) in text_of(page)
        assert soup(page).select_one("#sign-in-code input[name=email]")["value"] == (
            "dana@example.com"
        )
    assert await pool.fetchval("SELECT count(*) FROM sign_in_codes") == 1
    assert "New code sent." not in text_of(page)
    # "Send a new code" on that page: the page that comes back says it sent one.
    resend = soup(page).find("button", string="Send a new code").find_parent("form")
    again = await laptop.post(
        resend["action"], {i["name"]: i["value"] for i in resend.select("input[type=hidden]")}
    )
    assert again.status_code == 303
    said = text_of(await laptop.get(again.headers["location"]))
    assert (
        "New code sent. If dana@example.com is on a card or confirmed for one, it is on its way"
    ) in said
    assert await pool.fetchval("SELECT count(*) FROM sign_in_codes") == 2
    asked_id, signature = step.split("?asked=")[1].split("-")
    other = f"{int(asked_id) + 1}-{signature}"
    for nobody in (
        "",
        "?asked=",
        "?email=dana%40example.com",
        f"?asked={other}",
        "?asked=x-y",
        "?asked=²-y",
    ):
        first = await laptop.get(laptop.url("sign_in_code_step") + nobody)
        assert first.status_code == 303 and first.headers["location"] == laptop.url("sign_in")
    # A day on, the asking is gone (retention): its step is the first step again.
    await pool.execute("DELETE FROM sign_in_codes")
    gone = await laptop.get(step)
    assert gone.status_code == 303 and gone.headers["location"] == laptop.url("sign_in")


async def code_from(mail, app) -> str:
    message = await sent_once(app, mail)
    found = re.search(r"code: (\d{8})", message.subject)
    assert found, message.subject
    return found.group(1)


async def laptop_with_codes(new_phone, mail, app, asks: int = 1):  # type: ignore[no-untyped-def]
    """Dana has a card on her phone; on a laptop she asks for a code ``asks`` times: the
    laptop and the codes, in the order they were sent."""
    dana = await new_phone()
    await dana.make_card()
    laptop = await new_phone()
    for _ in range(asks):
        await ask_code(laptop, "dana@example.com")
    return laptop, await codes_from(mail, app, asks)


async def test_a_code_by_email_signs_a_new_browser_in_to_the_same_account(
    new_phone, pool, mail, app
):
    dana = await new_phone()
    await dana.make_card()
    laptop = await new_phone()
    page = await laptop.get(laptop.url("sign_in"))
    assert "I already have a card" in text_of(page)
    asked = await ask_code(laptop, "Dana@Example.com")
    assert asked.status_code == 200
    sent = "If dana@example.com is on a card or confirmed for one, we sent it a code"
    assert sent in text_of(asked)
    assert await pool.fetchval("SELECT count(*) FROM emails WHERE kind = 'code'") == 1
    code = await code_from(mail, app)
    assert await pool.fetchval("SELECT code FROM emails") is None, "not kept once sent"
    signed = await laptop.post(
        laptop.url("sign_in_code"), {"email": "dana@example.com", "code": f"{code[:4]} {code[4:]}"}
    )
    assert signed.status_code == 303
    contacts = await laptop.get(signed.headers["location"])
    assert "Signed in." in text_of(contacts)
    card = text_of(await laptop.get(laptop.url("card")))
    assert "Dana Lee" in card
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 1
    # Back to the code step: not the form as if nothing had happened, but the first step,
    # which says which card is signed in.
    back = await laptop.get(str(asked.url))
    assert back.status_code == 303 and back.headers["location"] == laptop.url("sign_in")
    first = soup(await laptop.get(back.headers["location"]))
    assert "signed in to Dana Lee's card" in first.select_one("#signed-in-as").get_text()
    assert await pool.fetchval("SELECT confirmed_at IS NOT NULL FROM email_addresses")
    # Used once: the same code again does nothing.
    again = await (await new_phone()).post(
        laptop.url("sign_in_code"), {"email": "dana@example.com", "code": code}
    )
    assert again.status_code == 422
    assert "That code was used already: each code works once. Ask for a new one." in text_of(again)


async def test_the_code_step_offers_another_email_and_reopens_at_the_first_step(new_phone):
    laptop = await new_phone()
    asked = await ask_code(laptop, "dana@example.com")
    assert soup(asked).find("a", string="Use another email")["href"] == laptop.url("sign_in")
    again = await laptop.get(laptop.url("sign_in_code"))
    assert again.status_code == 303 and again.headers["location"] == laptop.url("sign_in")


async def test_the_answer_never_says_whether_an_address_has_a_card(new_phone, pool, mail):
    phone = await new_phone()
    unknown = await ask_code(phone, "nobody@example.com")
    assert unknown.status_code == 200
    assert (
        "If nobody@example.com is on a card or confirmed for one, we sent it a code"
    ) in text_of(unknown)
    assert await pool.fetchval("SELECT count(*) FROM emails") == 0, "nothing sent"
    wrong = await phone.post(
        phone.url("sign_in_code"), {"email": "nobody@example.com", "code": "12345678"}
    )
    assert wrong.status_code == 422 and "4 tries left" in text_of(wrong)


async def five_wrong_tries(phone, wrong: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Dana's address with a wrong code, five times: what each answer said."""
    said = []
    for _ in range(5):
        answer = await phone.post(
            phone.url("sign_in_code"), {"email": "dana@example.com", "code": wrong}
        )
        assert answer.status_code == 422
        said.append(soup(answer).select_one(".error").get_text(" ", strip=True))
    return said


async def test_wrong_codes_count_down_and_five_kill_the_code(new_phone, pool, mail, app):
    dana = await new_phone()
    await dana.make_card()
    thief = await new_phone()
    await ask_code(thief, "dana@example.com")
    code = await code_from(mail, app)
    wrong = "0" * 8 if code != "0" * 8 else "1" * 8
    said = await five_wrong_tries(thief, wrong)
    assert said[0] == "That code is not right. 4 tries left."
    assert said[3] == "That code is not right. 1 try left."
    assert "no longer works" in said[4]
    right = await thief.post(thief.url("sign_in_code"), {"email": "dana@example.com", "code": code})
    assert right.status_code == 422, "the right code after five wrong ones is dead too"
    assert await pool.fetchval("SELECT count(*) FROM sessions") == 1


async def codes_from(mail, app, count: int) -> list[str]:
    async with running_mail_worker(app, mail) as worker:
        await worker.run_once()
    messages = await mail.wait_for(count)
    found = [re.search(r"code: (\d{8})", message.subject) for message in messages]
    assert all(found), [message.subject for message in messages]
    return [match.group(1) for match in found if match]


async def test_every_code_sent_works_not_only_the_last(new_phone, pool, mail, app):
    """The first email was slow, so she asked again; then the first one arrived."""
    laptop, [first, second] = await laptop_with_codes(new_phone, mail, app, asks=2)
    assert first != second
    used = await laptop.post(
        laptop.url("sign_in_code"), {"email": "dana@example.com", "code": first}
    )
    assert used.status_code == 303
    assert "Dana Lee" in text_of(await laptop.get(laptop.url("card")))
    # Signed in: both codes are used up.
    assert await pool.fetchval("SELECT count(*) FROM sign_in_codes WHERE used_at IS NULL") == 0
    again = await (await new_phone()).post(
        laptop.url("sign_in_code"), {"email": "dana@example.com", "code": second}
    )
    assert again.status_code == 422 and "That code was used already" in text_of(again)
    # One that ran out of time is said so, and costs no try.
    await pool.execute("UPDATE sign_in_codes SET used_at = NULL, expires_at = now()")
    late = await laptop.post(
        laptop.url("sign_in_code"), {"email": "dana@example.com", "code": first}
    )
    assert "That code has expired: codes work for 10 minutes." in text_of(late)
    assert await pool.fetchval("SELECT min(tries_left) FROM sign_in_codes") == 5


async def test_five_wrong_tries_end_every_code_this_browser_asked_for(new_phone, pool, mail, app):
    thief, codes = await laptop_with_codes(new_phone, mail, app, asks=2)
    wrong = next(c for c in ("0" * 8, "1" * 8, "2" * 8) if c not in codes)
    said = await five_wrong_tries(thief, wrong)
    assert said[0] == "That code is not right. 4 tries left.", "a second code gives no more"
    assert "no longer works" in said[4]
    for code in codes:
        dead = await thief.post(
            thief.url("sign_in_code"), {"email": "dana@example.com", "code": code}
        )
        assert dead.status_code == 422
        assert "a code was typed wrong too often. Ask for a new one." in text_of(dead)
    assert await pool.fetchval("SELECT count(*) FROM sessions") == 1


async def test_a_code_that_is_not_eight_digits_costs_no_try(new_phone, pool, mail, app):
    laptop, [code] = await laptop_with_codes(new_phone, mail, app)
    for typo in ("abcd", code[:7], code + "1", "x" * 16_000):
        slip = await laptop.post(
            laptop.url("sign_in_code"), {"email": "dana@example.com", "code": typo}
        )
        assert slip.status_code == 422
        assert soup(slip).select_one(".error").get_text(" ", strip=True) == (
            "Type the 8 digits from the email."
        )
    assert await pool.fetchval("SELECT tries_left FROM sign_in_codes") == 5
    # A phone set to Arabic types Arabic-Indic digits: the same code.
    arabic = code.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    signed = await laptop.post(
        laptop.url("sign_in_code"), {"email": "dana@example.com", "code": arabic}
    )
    assert signed.status_code == 303


async def test_asking_is_limited_per_address_from_one_network_even_all_at_once(
    new_phone, pool, mail
):
    dana = await new_phone()
    await dana.make_card()
    phones = [await new_phone() for _ in range(8)]
    answers = await asyncio.gather(*(ask_code(p, "dana@example.com") for p in phones))
    assert sorted(a.status_code for a in answers) == [200] * 5 + [429] * 3
    assert await pool.fetchval("SELECT count(*) FROM sign_in_codes") == 5
    first_refused = next(a for a in answers if a.status_code == 429)
    # When one more may be asked for: the first code leaves the hour then. The browser
    # refused asked for none: it is not told to type one.
    says_wait(first_refused, "No code asked for in this browser still works: ask again {wait}")
    refused = text_of(first_refused)
    assert (
        "We sent no new code: this network asked for several codes for dana@example.com in the"
        " last hour."
    ) in refused
    assert "we sent it a code" not in refused, "nothing said to be sent that was not"


async def test_a_bad_address_is_refused_in_the_form(new_phone, pool):
    phone = await new_phone()
    answer = await ask_code(phone, "not an address")
    assert answer.status_code == 422
    assert "does not look right" in text_of(answer)
    assert await pool.fetchval("SELECT count(*) FROM sign_in_codes") == 0


async def test_signing_in_where_an_empty_card_was_made_drops_that_card(new_phone, pool, mail, app):
    dana = await new_phone()
    await dana.make_card()
    installed = await new_phone()  # the app on the home screen: a new, empty account first
    await installed.make_card(name="Dana (oops)", email="other@example.com")
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 2
    await ask_code(installed, "dana@example.com")
    code = await code_from(mail, app)
    signed = await installed.post(
        installed.url("sign_in_code"), {"email": "dana@example.com", "code": code}
    )
    assert signed.status_code == 303
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 1
    assert "Dana Lee" in text_of(await installed.get(installed.url("card")))


async def test_settings_lists_devices_and_signs_others_out_at_once(new_phone, pool, mail, app):
    dana = await new_phone(**{"user-agent": IPHONE_SAFARI})
    await dana.make_card()
    laptop = await new_phone(**{"user-agent": MAC_CHROME})
    await ask_code(laptop, "dana@example.com")
    code = await code_from(mail, app)
    await laptop.post(laptop.url("sign_in_code"), {"email": "dana@example.com", "code": code})
    await dana.get(dana.url("contacts"))
    page = text_of(await laptop.get(laptop.url("settings")))
    assert "Safari on iPhone" in page and "Made the card here" in page
    assert "Chrome on Mac (this device)" in page and "Signed in with an email code" in page
    # Last seen is written at most hourly: this device is said to be in use, not "an hour ago".
    await pool.execute("UPDATE sessions SET last_seen_at = now() - interval '50 minutes'")
    mine = [
        li.get_text(" ", strip=True)
        for li in soup(await laptop.get(laptop.url("settings"))).select("#sessions li")
    ]
    [laptop_line] = [line for line in mine if "(this device)" in line]
    [phone_line] = [line for line in mine if "Safari" in line]
    assert laptop_line.endswith("in use now") and "last seen 50 minutes ago" in phone_line
    out = await laptop.post(laptop.url("sign_out_others"), {})
    assert out.status_code == 303
    assert "Every other browser is signed out" in text_of(await laptop.get(out.headers["location"]))
    # The phone is signed out on its very next request, and told so, not left to think its
    # card is lost.
    phone_card = text_of(await dana.get(dana.url("card")))
    assert "Make my card" in phone_card and "Dana Lee" not in phone_card
    assert "You were signed out on this phone. Sign in again to see your card" in phone_card
    assert "Chrome on Mac" in text_of(await laptop.get(laptop.url("settings")))
    # The card page a crowd shares is kept per process for people with no account: never
    # the one saying someone was signed out.
    link = await laptop.share_link()
    assert "You were signed out" in text_of(await dana.get(link))
    assert "You were signed out" not in text_of(await (await new_phone()).get(link))


async def test_sign_out_clears_this_browser(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    out = await dana.post(dana.url("sign_out"), {})
    assert out.status_code == 200
    assert "You are signed out" in text_of(out)
    assert out.headers["clear-site-data"] == '"cache", "cookies", "storage"'
    assert "ro_session=" in out.headers["set-cookie"] and "Max-Age=0" in out.headers["set-cookie"]
    assert await pool.fetchval("SELECT revoked_at IS NOT NULL FROM sessions")
    # Signed out here, by choice: no "You were signed out" on the next page.
    dana.client.cookies.clear()
    assert "You were signed out" not in text_of(await dana.get(dana.url("card")))


async def test_asking_is_limited_per_ip_across_addresses(new_phone, pool):
    """Sixty in ten minutes: a venue's Wi-Fi is one address for everyone there."""
    phone = await new_phone()
    answers = [await ask_code(phone, f"someone{i}@example.com") for i in range(61)]
    assert [a.status_code for a in answers] == [200] * 60 + [429]
    assert await pool.fetchval("SELECT count(*) FROM sign_in_codes") == 60
    assert 0 < int(answers[-1].headers["retry-after"]) <= 600


async def test_an_expired_code_is_refused(new_phone, pool, mail, app):
    laptop, [code] = await laptop_with_codes(new_phone, mail, app)
    await pool.execute("UPDATE sign_in_codes SET expires_at = now() - interval '1 second'")
    late = await laptop.post(
        laptop.url("sign_in_code"), {"email": "dana@example.com", "code": code}
    )
    assert late.status_code == 422 and "expired" in text_of(late)


async def test_a_session_unused_for_400_days_has_ended(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    await pool.execute("UPDATE sessions SET last_seen_at = now() - interval '401 days'")
    page = text_of(await dana.get(dana.url("card")))
    assert "Make my card" in page and "Dana Lee" not in page


async def test_when_several_cards_carry_the_address_the_code_asks_which_is_yours(
    new_phone, pool, mail, app
):
    """Bea's card and Mallory's both carry bea@ (Mallory typed it, by a slip or on purpose),
    confirmed for neither, Mallory's used last: Bea's code no longer opens Mallory's card.
    It asks which card is hers; the one chosen is signed in and confirmed, and the next code
    opens it directly."""
    bea = await new_phone()
    await bea.make_card(name="Bea Stone", email="bea@example.com")
    mallory = await new_phone()
    await mallory.make_card(name="Mallory Mean", email="BEA@example.com")
    await mallory.get(mallory.url("settings"))
    laptop = await new_phone()
    await ask_code(laptop, "bea@example.com")
    code = await code_from(mail, app)
    # The code goes to the address, naming nobody, and neither card's Settings lists it.
    assert mail.received[0].message["To"] == "bea@example.com"
    for phone in (bea, mallory):
        assert "Sign-in code" not in text_of(await phone.get(phone.url("settings")))
    asked = await laptop.post(
        laptop.url("sign_in_code"), {"email": "bea@example.com", "code": code}
    )
    # By GET, so that a reload asks again rather than sending the spent code; what stands in
    # for the code is kept in a cookie, not the address.
    assert asked.status_code == 303
    assert asked.headers["location"] == laptop.url("sign_in_choose_page")
    question = await laptop.get(asked.headers["location"])
    assert (await laptop.get(asked.headers["location"])).text == question.text
    page = soup(question)
    assert page.h1.get_text() == "Which card is yours?"
    assert [h.get_text() for h in page.select("main h2")] == ["Bea Stone", "Mallory Mean"]
    assert await pool.fetchval("SELECT count(*) FROM sessions") == 2, "nobody signed in yet"
    button = page.find("button", attrs={"aria-label": re.compile("sign in as Bea Stone")})
    form = button.find_parent("form")
    fields = {f["name"]: f.get("value", "") for f in form.select("input[type=hidden]")}
    # What stands in for the code is the cookie, not the form (a choice made up, or one too
    # old, in the cookie or another browser: test_choose_by_cookie_once.py).
    assert set(fields) == {"email"}
    chosen = await laptop.post(form["action"], {**fields, "account_id": button["value"]})
    assert chosen.status_code == 303
    assert "Bea Stone" in text_of(await laptop.get(laptop.url("card")))
    # Back to the question, answered: on to the contacts.
    back = await laptop.get(laptop.url("sign_in_choose_page"))
    assert back.status_code == 303 and back.headers["location"] == laptop.url("contacts")
    # Another browser, without the cookie, is not asked.
    stranger = await new_phone()
    assert (await stranger.get(laptop.url("sign_in_choose_page"))).status_code == 403
    confirmed = await pool.fetch("SELECT account_id FROM address_confirmations")
    assert [row["account_id"] for row in confirmed] == [1]
    # Confirmed for her card alone now: her next code opens it without asking.
    phone = await new_phone()
    await ask_code(phone, "bea@example.com")
    mail.received.clear()
    code = await code_from(mail, app)
    signed = await phone.post(phone.url("sign_in_code"), {"email": "bea@example.com", "code": code})
    assert signed.status_code == 303
    assert "Bea Stone" in text_of(await phone.get(phone.url("card")))


async def test_sign_in_opened_where_a_card_is_signed_in_says_which(new_phone):
    """Ben taps "I already have a card" with his card signed in on this phone: the page says
    so, rather than read as if nobody were."""
    fresh = await new_phone()
    assert soup(await fresh.get(fresh.url("sign_in"))).select_one("#signed-in-as") is None
    ben = await new_phone()
    await ben.make_card(name="Ben C.", email="ben@example.com")
    said = soup(await ben.get(ben.url("sign_in"))).select_one("#signed-in-as").get_text()
    assert said == (
        "This phone is signed in to Ben C.'s card."
        " Signing in to another card switches this phone to that one."
    )


async def test_which_card_is_yours_marks_the_one_this_phone_is_on(new_phone, mail, app):
    """Bea made two cards with her address; asked on the phone where the second is signed in,
    the question says which that is, and offers no "Make my own card" (it would show it)."""
    first = await new_phone()
    await first.make_card(name="Bea Stone", email="bea@example.com")
    phone = await new_phone()
    await phone.make_card(name="Bea S.", email="bea@example.com")
    await ask_code(phone, "bea@example.com")
    asked = await phone.post(
        phone.url("sign_in_code"), {"email": "bea@example.com", "code": await code_from(mail, app)}
    )
    page = soup(await phone.get(asked.headers["location"]))
    cards = {c.h2.get_text(): c.get_text(" ", strip=True) for c in page.select("main .card")}
    assert "signed in on this phone now" in cards["Bea S."]
    assert "signed in on this phone now" not in cards["Bea Stone"]
    assert page.find("a", string="Make my own card") is None


async def test_ipv6_neighbours_in_one_slash_64_share_the_limits(new_phone, visitor):
    """A phone on IPv6 can take any address of its /64: asking for codes and guessing move
    codes count by the /64, as every other limit does."""
    answers = [
        await ask_code(await visitor(f"2001:db8:5:6::{i + 1:x}"), f"someone{i}@example.com")
        for i in range(61)
    ]
    assert [a.status_code for a in answers] == [200] * 60 + [429]

    dana = await new_phone()
    await dana.make_card()
    code = await show_code(dana)
    for i in range(moving.MISSES_ALLOWED):
        guesser = await visitor(f"2001:db8:7:8::{i + 1:x}")
        wrong = await guesser.post(guesser.url("move_enter_submit"), {"code": "AAAA-AAAA"})
        assert wrong.status_code == 422
    guesser = await visitor("2001:db8:7:8:dead:beef::1")
    blocked = await guesser.post(guesser.url("move_enter_submit"), {"code": code})
    says_wait(blocked, moving.MISSES.says, within=600)


async def test_signing_in_again_where_signed_in_keeps_one_device_and_its_reminders(
    new_phone, pool, mail, app, push
):
    dana = await new_phone(**{"user-agent": IPHONE_SAFARI})
    await dana.make_card()
    device = await subscribe(dana, push)
    old_cookie = dict(dana.client.cookies)
    await ask_code(dana, "dana@example.com")
    signed = await dana.post(
        dana.url("sign_in_code"), {"email": "dana@example.com", "code": await code_from(mail, app)}
    )
    assert signed.status_code == 303
    assert dict(dana.client.cookies) != old_cookie, "a new token at every sign-in"
    settings = text_of(await dana.get(dana.url("settings")))
    assert settings.count("Safari on iPhone") == 1
    # Her reminders still reach this phone: its subscription went on with the new session.
    live = await pool.fetchval("SELECT id FROM sessions WHERE revoked_at IS NULL")
    assert await pool.fetchval("SELECT session_id FROM push_subscriptions") == live
    assert await pool.fetchval("SELECT endpoint FROM push_subscriptions") == device.endpoint
