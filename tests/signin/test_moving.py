"""Moving to the installed app or another phone with a short code: no email needed."""

from __future__ import annotations

import asyncio
import re

from server.signin import moving
from tests.limit_counts import hits, says_wait
from tests.phone import soup, text_of


async def show_code(phone) -> str:
    page = await phone.post(phone.url("move_code"), {})
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert soup(page).select_one(".qr svg") is not None
    found = re.search(r"\b([2-9A-HJ-NP-Z]{4})-([2-9A-HJ-NP-Z]{4})\b", text_of(page))
    assert found, text_of(page)
    return found.group(1) + found.group(2)


async def test_a_code_moves_the_account_to_the_installed_app_once(new_phone, pool):
    safari = await new_phone()
    await safari.make_card()
    code = await show_code(safari)
    installed = await new_phone()  # the app on the home screen: its own cookies
    form = await installed.get(installed.url("move_scanned", code=code))
    assert code in form.text, "the QR fills the code in; opening it signs nothing in"
    assert await pool.fetchval("SELECT count(*) FROM sessions") == 1
    signed = await installed.post(
        installed.url("move_enter_submit"), {"code": f"{code[:4].lower()} {code[4:]}"}
    )
    assert signed.status_code == 303
    assert "Dana Lee" in text_of(await installed.get(installed.url("card")))
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 1
    assert await pool.fetchval("SELECT signed_in_by FROM sessions ORDER BY id DESC LIMIT 1") == (
        "move"
    )
    third = await new_phone()
    again = await third.post(third.url("move_enter_submit"), {"code": code})
    assert again.status_code == 422 and "does not work" in text_of(again)


async def test_an_old_code_stops_when_a_new_one_is_shown_and_expires(new_phone, pool):
    safari = await new_phone()
    await safari.make_card()
    first = await show_code(safari)
    second = await show_code(safari)
    other = await new_phone()
    assert (await other.post(other.url("move_enter_submit"), {"code": first})).status_code == 422
    await pool.execute("UPDATE move_codes SET expires_at = now() - interval '1 second'")
    late = await other.post(other.url("move_enter_submit"), {"code": second})
    assert late.status_code == 422 and "older than five minutes" in text_of(late)


async def test_thirty_wrong_codes_and_this_address_must_wait(new_phone, pool):
    safari = await new_phone()
    await safari.make_card()
    code = await show_code(safari)
    guesser = await new_phone()
    # A few typos from one venue's Wi-Fi (one address for everyone) stop nobody.
    for _ in range(5):
        wrong = await guesser.post(guesser.url("move_enter_submit"), {"code": "AAAA-AAAA"})
        assert wrong.status_code == 422
    ben = await new_phone()
    await ben.make_card(name="Ben Ode", email="ben@example.com")
    typed = await guesser.post(guesser.url("move_enter_submit"), {"code": await show_code(ben)})
    assert typed.status_code == 303
    guesser = await new_phone()  # same address, another phone
    for _ in range(moving.MISSES_ALLOWED - 5):
        wrong = await guesser.post(guesser.url("move_enter_submit"), {"code": "AAAA-AAAA"})
        assert wrong.status_code == 422
    blocked = await guesser.post(guesser.url("move_enter_submit"), {"code": code})
    says_wait(blocked, moving.MISSES.says, within=600)
    assert await pool.fetchval("SELECT count(*) FROM sessions WHERE account_id = 1") == 1


async def test_wrong_codes_typed_all_at_once_still_stop_at_thirty(new_phone, pool):
    """The attack: a script sends its guesses together. The lock and the count in one
    statement let every one through (the count's snapshot predates the lock)."""
    safari = await new_phone()
    await safari.make_card()
    await show_code(safari)
    guesser = await new_phone()
    answers = await asyncio.gather(
        *(
            guesser.post(guesser.url("move_enter_submit"), {"code": f"AAAA-AA{a}{b}"})
            for a in "ABCDEF"
            for b in "ABCDEF"
        )
    )
    assert sorted(a.status_code for a in answers) == [422] * 30 + [429] * 6
    assert await hits(pool, bucket="address-move-misses") == 30


async def test_showing_a_code_needs_a_signed_in_browser(new_phone):
    stranger = await new_phone()
    assert (await stranger.post(stranger.url("move_code"), {})).status_code == 404
    page = await stranger.get(stranger.url("move"))
    assert page.status_code == 303


HTMX = {"HX-Request": "true"}


async def test_the_page_showing_a_code_learns_what_became_of_it(new_phone, pool):
    safari = await new_phone()
    await safari.make_card()
    shown = await safari.post(safari.url("move_code"), {})
    poll = soup(shown).select_one("#move-code")["hx-get"]
    code_id = await pool.fetchval("SELECT max(id) FROM move_codes")
    assert poll == safari.url("move_code_state", code_id=code_id)
    waiting = await safari.get(poll, headers=HTMX)
    assert waiting.status_code == 204, "nothing changes on the page while the code waits"
    # Nobody else learns anything of it: theirs reads as a code that is gone, and stops
    # their polling (286) as it would for a code forgotten after a day or a signed-out page.
    other = await new_phone()
    await other.make_card()
    theirs = await other.get(poll, headers=HTMX)
    assert theirs.status_code == 286 and "This code is gone." in text_of(theirs)
    signed_out = await new_phone()
    gone = await signed_out.get(poll, headers=HTMX)
    assert gone.status_code == 286 and gone.text == theirs.text
    code = re.search(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", text_of(shown)).group(0)
    installed = await new_phone()
    await installed.post(installed.url("move_enter_submit"), {"code": code})
    used = await safari.get(poll, headers=HTMX)
    assert used.status_code == 286, "286 stops htmx polling"
    assert "Done: the other app or phone is signed in." in text_of(used)
    assert code not in used.text

    # Used, then a newer code shown: still said to be used (retiring a code only ends it).
    await safari.post(safari.url("move_code"), {})
    assert "Done:" in text_of(await safari.get(poll, headers=HTMX))
    # A code ended by a newer one, and one that expired, say so and offer a new one.
    second = await pool.fetchval("SELECT max(id) FROM move_codes")
    await safari.post(safari.url("move_code"), {})
    replaced = await safari.get(safari.url("move_code_state", code_id=second), headers=HTMX)
    assert "A newer code replaced this one." in text_of(replaced)
    await pool.execute("UPDATE move_codes SET expires_at = now() - interval '1 second'")
    latest = await pool.fetchval("SELECT max(id) FROM move_codes")
    expired = await safari.get(safari.url("move_code_state", code_id=latest), headers=HTMX)
    assert expired.status_code == 286 and "This code has expired." in text_of(expired)
    assert "Show a new code" in text_of(expired)
