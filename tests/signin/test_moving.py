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


async def test_a_card_in_use_is_kept_when_its_phone_signs_in_to_another(new_phone, pool):
    """Only a card made by mistake goes when its browser signs in elsewhere: Olivia's
    organises an event, Sam's is signed in on his laptop too; neither has contacts yet."""
    dana = await new_phone()
    await dana.make_card()
    olivia = await new_phone()
    await olivia.make_card(name="Olivia Park", email="olivia@example.com")
    olivia_id = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Olivia Park'")
    await pool.execute(
        """INSERT INTO events (organizer_id, name, join_code, starts_at, ends_at, time_zone)
           VALUES ($1, 'Spring fair', 'SVMMXT', now() + interval '1 day',
                   now() + interval '2 days', 'UTC')""",
        olivia_id,
    )
    page = await olivia.get(olivia.url("move_scanned", code=await show_code(dana)))
    said = soup(page).select_one("#signed-in-as").get_text(" ", strip=True)
    assert "This phone is signed in to Olivia Park 's card" in said
    code = soup(page).select_one("input[name=code]")["value"]
    switched = await olivia.post(olivia.url("move_enter_submit"), {"code": code})
    assert switched.status_code == 303
    offer = text_of(await olivia.get(switched.headers["location"]))
    assert "Merge the card this browser had?" in offer
    assert "the card of Olivia Park , with no contacts yet." in offer
    assert await pool.fetchval("SELECT organizer_id FROM events") == olivia_id

    sam_phone = await new_phone()
    await sam_phone.make_card(name="Sam Roe", email="sam@example.com")
    sam_laptop = await new_phone()
    laptop_code = await show_code(sam_phone)
    await sam_laptop.post(sam_laptop.url("move_enter_submit"), {"code": laptop_code})
    await sam_phone.post(sam_phone.url("move_enter_submit"), {"code": await show_code(dana)})
    assert "Sam Roe" in text_of(await sam_laptop.get(sam_laptop.url("card")))
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 3
