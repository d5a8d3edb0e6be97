"""Guessing six-digit codes, written as the attacks: every failure counts and answers alike,
a code dies when its neighbours are tried, "New code" is limited, and drawing always ends."""

from __future__ import annotations

import asyncio
import secrets
from types import SimpleNamespace

from server.tap import codes
from tests.limit_counts import hits, says_wait
from tests.phone import Phone, soup, text_of
from tests.tap.test_routes import code_of, connections, two_phones


async def type_code(phone: Phone, code: str):  # type: ignore[no-untyped-def]
    return await phone.post(phone.url("tap_code_enter"), {"code": code}, htmx=True)


def neighbour(code: str, place: int) -> str:
    """``code`` with one digit changed: a guess by someone who saw the other five."""
    digit = str((int(code[place]) + 1) % 10)
    return code[:place] + digit + code[place + 1 :]


async def test_every_kind_of_failure_gets_one_answer_and_counts_but_my_own_code(new_phone, pool):
    dana, mia = await two_phones(new_phone)
    eve = await new_phone()
    await eve.make_card(name="Eve Stone", email="eve@example.com")
    used = await code_of(dana)
    assert (await type_code(mia, used)).status_code == 204
    expired = await code_of(dana)
    await pool.execute("UPDATE swap_codes SET expires_at = now() WHERE code = $1", expired)
    own = await code_of(eve)
    never = next(f"{n:06d}" for n in range(10**6) if f"{n:06d}" not in (used, expired, own))

    answers = [await type_code(eve, guess) for guess in (used, expired, never)]
    assert [answer.status_code for answer in answers] == [404] * 3
    bodies = {str(soup(answer).select_one("[role=alert], .error")) for answer in answers}
    assert len(bodies) == 1 and codes.WRONG in bodies.pop()
    bodies = {text_of(answer) for answer in answers}
    assert len(bodies) == 1, "no answer tells a used or expired code from a never-issued one"
    # Her own code tells her nothing she does not know: said as such, and no guess.
    mine = await type_code(eve, own)
    assert mine.status_code == 422 and codes.OWN_CODE in text_of(mine)
    eve = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Eve Stone'")
    misses = await hits(pool, bucket="account-code-misses", key=str(eve))
    assert misses == 3
    assert await connections(pool, "Dana Lee", "Eve Stone") == 0


async def test_concurrent_guesses_of_used_and_expired_codes_all_count(new_phone, pool):
    dana, mia = await two_phones(new_phone)
    eve = await new_phone()
    await eve.make_card(name="Eve Stone", email="eve@example.com")
    used = await code_of(dana)
    assert (await type_code(mia, used)).status_code == 204
    live = await code_of(dana)
    # The attacker replays dead codes, which used to be free: all at once.
    answers = await asyncio.gather(
        *(type_code(eve, used) for _ in range(codes.MAX_MISSES_PER_ACCOUNT + 5))
    )
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses.count(404) == codes.MAX_MISSES_PER_ACCOUNT
    assert statuses.count(429) == 5
    blocked = await type_code(eve, live)
    says_wait(blocked, codes.TOO_MANY)
    assert await connections(pool, "Dana Lee", "Eve Stone") == 0


async def test_a_code_dies_when_guessers_try_its_neighbours(new_phone, pool):
    dana, mia = await two_phones(new_phone)
    code = await code_of(dana)
    guessers = []
    for n in range(codes.NEAR_MISSES_TO_KILL):
        phone = await new_phone()
        await phone.make_card(name=f"Guesser {n}", email=f"g{n}@example.com")
        guessers.append(phone)
    # Three people who saw five digits over Dana's shoulder try the sixth at the same moment.
    answers = await asyncio.gather(
        *(type_code(phone, neighbour(code, 5 - n)) for n, phone in enumerate(guessers))
    )
    assert [answer.status_code for answer in answers] == [404] * len(guessers)
    late = await type_code(mia, code)
    assert late.status_code == 404 and codes.WRONG in text_of(late), "the code is dead"
    # Dana's Tap screen says why, a minute into a code good for ten: not "expired".
    shown = await dana.get(dana.url("tap_code_state", code=code), headers={"hx-request": "true"})
    assert shown.status_code == 286
    assert "Your code was turned off" in text_of(shown)
    assert "expired" not in text_of(shown)
    assert await connections(pool, "Dana Lee", "Mia Chen") == 0
    fresh = await code_of(dana)
    assert fresh != code, "reopening Tap shows Dana a new code"
    assert (await type_code(mia, fresh)).status_code == 204


async def test_a_typo_or_two_does_not_kill_the_code(new_phone, pool):
    dana, mia = await two_phones(new_phone)
    code = await code_of(dana)
    for place in range(codes.NEAR_MISSES_TO_KILL - 1):
        assert (await type_code(mia, neighbour(code, place))).status_code == 404
    assert (await type_code(mia, code)).status_code == 204
    assert await connections(pool, "Dana Lee", "Mia Chen") == 2


async def test_new_codes_are_limited_even_when_asked_for_at_once(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    first = await code_of(dana)
    answers = await asyncio.gather(
        *(
            dana.post(dana.url("tap_code"), {"fresh": "1"}, htmx=True)
            for _ in range(codes.MAX_DRAWN_PER_HOUR + 5)
        )
    )
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses.count(200) == codes.MAX_DRAWN_PER_HOUR - 1, "the first code counts too"
    assert statuses.count(429) == 6
    drawn = await pool.fetchval("SELECT count(*) FROM swap_codes")
    assert drawn == codes.MAX_DRAWN_PER_HOUR
    refused = next(answer for answer in answers if answer.status_code == 429)
    assert codes.TOO_MANY_DRAWN in text_of(refused)
    shown = soup(refused).select_one("#my-code")
    assert shown is not None, "the code still in force stays on screen"
    live = await pool.fetchval("SELECT code FROM swap_codes WHERE expires_at > now()")
    assert shown.get_text().replace(" ", "") == live != first


async def test_drawing_a_code_ends_when_every_code_is_taken(new_phone, pool, monkeypatch):
    dana, _mia = await two_phones(new_phone)
    holder = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Mia Chen'")
    # The space shrunk to its first thousand codes (the draw is the one thing replaced), all
    # of them live and someone else's: as a million would be, without writing a million rows.
    monkeypatch.setattr(
        codes, "secrets", SimpleNamespace(randbelow=lambda _n: secrets.randbelow(1000))
    )
    await pool.execute(
        """INSERT INTO swap_codes (code, account_id, expires_at)
           SELECT lpad(n::text, 6, '0'), $1, now() + interval '10 minutes'
           FROM generate_series(0, 999) AS n""",
        holder,
    )
    answer = await asyncio.wait_for(dana.post(dana.url("tap_code"), {}, htmx=True), timeout=30)
    assert answer.status_code == 429
    assert codes.NONE_FREE in text_of(answer)
    assert soup(answer).select_one("#my-code") is None
    assert await pool.fetchval("SELECT count(*) FROM swap_codes") == 1000, "nothing taken over"


async def test_a_retired_code_drawn_again_an_hour_later_works_for_its_new_holder(
    new_phone, pool, monkeypatch
):
    """Retired by "New code", a code is dead for good, but only as Dana's: drawn for Mia once
    the hour after its end has passed, it is hers and swaps."""
    dana, mia = await two_phones(new_phone)
    sam = await new_phone()
    await sam.make_card(name="Sam Roe", email="sam@example.com")
    retired = await code_of(dana)
    await code_of(dana, fresh=True)
    await pool.execute(
        "UPDATE swap_codes SET expires_at = now() - interval '61 minutes' WHERE code = $1",
        retired,
    )
    monkeypatch.setattr(codes, "secrets", SimpleNamespace(randbelow=lambda _n: int(retired)))
    assert await code_of(mia) == retired
    typed = await type_code(sam, retired)
    assert typed.status_code == 204
    assert await connections(pool, "Mia Chen", "Sam Roe") == 2
