"""Sign-in codes belong to the browser that asked for them: a stranger asking codes for my
address, and typing wrong ones, neither kills the codes in my inbox nor keeps me from a new
one (server/signin/codes.py)."""

from __future__ import annotations

import asyncio

from tests.limit_counts import says_wait
from tests.mailing import code_sent
from tests.phone import text_of
from tests.signin.test_guests import CODE
from tests.signin.test_routes import ask_code, five_wrong_tries

DANA = "dana@example.com"
# Dana's laptop at home, and a stranger on another network.
HOME, ELSEWHERE = "198.51.100.7", "203.0.113.9"


def wrong_for(code: str) -> str:
    return "0" * 8 if code != "0" * 8 else "1" * 8


async def test_a_strangers_wrong_codes_leave_the_code_in_my_inbox_working(
    new_phone, visitor, pool, mail, app
):
    """Dana asked for a code on her laptop; meanwhile a stranger asks five for her address and
    types five wrong ones: her code still signs her in."""
    await (await new_phone()).make_card()
    laptop = await visitor(HOME)
    assert (await ask_code(laptop, DANA)).status_code == 200
    code = await code_sent(app, mail, CODE, DANA)
    stranger = await visitor(ELSEWHERE)
    for _ in range(5):
        asked = await stranger.post(stranger.url("sign_in_ask"), {"email": DANA})
        assert asked.status_code == 303
    said = await five_wrong_tries(stranger, wrong_for(code))
    assert said[0] == "That code is not right. 4 tries left."
    assert "no longer works" in said[4], "the stranger's own codes are dead"
    signed = await laptop.post(laptop.url("sign_in_code"), {"email": DANA, "code": code})
    assert signed.status_code == 303, text_of(signed)
    assert "Dana Lee" in text_of(await laptop.get(laptop.url("card")))


async def test_a_stranger_asking_often_does_not_keep_me_from_a_code(
    new_phone, visitor, pool, mail, app
):
    await (await new_phone()).make_card()
    stranger = await visitor(ELSEWHERE)
    for _ in range(5):
        await stranger.post(stranger.url("sign_in_ask"), {"email": DANA})
    await five_wrong_tries(stranger, "00000000")
    await code_sent(app, mail, CODE, DANA)  # the stranger's codes, in Dana's inbox
    refused = await ask_code(stranger, DANA)
    # Its own codes are dead (five wrong tries): it is not told to type one.
    says_wait(refused, "No code asked for in this browser still works: ask again {wait}")
    # Dana, at home: a code, which signs her in.
    laptop = await visitor(HOME)
    asked = await ask_code(laptop, DANA)
    assert asked.status_code == 200 and "we sent it a code" in text_of(asked)
    code = await code_sent(app, mail, CODE, DANA)
    signed = await laptop.post(laptop.url("sign_in_code"), {"email": DANA, "code": code})
    assert signed.status_code == 303, text_of(signed)


async def test_asking_for_one_address_is_capped_across_networks_even_all_at_once(
    new_phone, visitor, pool
):
    """Five an hour from one network, twenty in all (from networks she never signed in
    from): her inbox is not flooded from many."""
    await (await new_phone()).make_card()
    phones = [await visitor(f"192.0.2.{n}") for n in range(1, 6) for _ in range(5)]
    answers = await asyncio.gather(*(ask_code(p, DANA) for p in phones))
    assert sorted(a.status_code for a in answers) == [200] * 20 + [429] * 5
    assert await pool.fetchval("SELECT count(*) FROM sign_in_codes") == 20


async def test_a_code_typed_in_another_browser_says_where_it_works(new_phone, pool, mail, app):
    """Asked for on the laptop, typed on the phone: said so, costing no try; on the laptop it
    signs in."""
    await (await new_phone()).make_card()
    laptop = await new_phone()
    await ask_code(laptop, DANA)
    code = await code_sent(app, mail, CODE, DANA)
    phone = await new_phone()
    await ask_code(phone, DANA)  # the phone asked for one of its own too
    typed = await phone.post(phone.url("sign_in_code"), {"email": DANA, "code": code})
    assert typed.status_code == 422
    assert (
        "That code was asked for in another browser or app: type it there, or ask for a new"
        " one here."
    ) in text_of(typed)
    assert await pool.fetchval("SELECT min(tries_left) FROM sign_in_codes") == 5, "no guess"
    signed = await laptop.post(laptop.url("sign_in_code"), {"email": DANA, "code": code})
    assert signed.status_code == 303
