"""Sign-in codes to one inbox in a day (review r67): a stranger asking five an hour from each of
four networks, all day, sent some 480 code emails to Dana's address (codes go whether she
unsubscribed or not, as they must). Now the networks she never signed in from get thirty in a
day between them, the page past it says why in words, and the network she signed in from still
gets her a code; a person asking a few codes a day never meets it."""

from __future__ import annotations

import asyncio

from server.signin import codes
from tests.mailing import code_sent
from tests.phone import text_of
from tests.signin.test_guests import CODE
from tests.signin.test_routes import ask_code

DANA = "dana@example.com"
HOME = "198.51.100.7"
# What the networks she never signed in from may ask in a day (codes.PER_ADDRESS_PER_DAY):
# written out, so that a different number fails on what a person sees.
A_DAY = 30
CODES_TO_DANA = "SELECT count(*) FROM emails WHERE kind = 'code' AND to_address = $1"


def network(n: int) -> str:
    return f"2001:db8:{n}::1"


async def an_hour_passes(pool) -> None:
    """The hour's counts (of the codes asked) start again; the day's (limit_slots) run on."""
    await pool.execute("UPDATE sign_in_codes SET created_at = created_at - interval '61 minutes'")
    await pool.execute("UPDATE limit_slots SET slot = slot - interval '61 minutes'")


async def test_a_stranger_asking_all_day_sends_her_inbox_thirty_codes_not_480(
    new_phone, visitor, pool, app, mail
):
    dana = await new_phone()
    await dana.make_card()
    # She signed in at home yesterday: her address is confirmed, home is her network.
    laptop = await visitor(HOME)
    assert (await ask_code(laptop, DANA)).status_code == 200
    signed = await laptop.post(
        laptop.url("sign_in_code"),
        {"email": DANA, "code": await code_sent(app, mail, CODE, DANA)},
    )
    assert signed.status_code == 303
    await pool.execute("UPDATE sign_in_codes SET created_at = created_at - interval '1 day'")
    await pool.execute("DELETE FROM limit_slots")
    sent_before = await pool.fetchval(CODES_TO_DANA, DANA)

    # The stranger: five an hour from each of four networks, as long as codes go.
    asked = 0
    for hour in range(3):
        for n in range(4):
            stranger = await visitor(network(10 * hour + n))
            for _ in range(codes.PER_ADDRESS_PER_IP_PER_HOUR):
                if asked < A_DAY:
                    answer = await stranger.post(stranger.url("sign_in_ask"), {"email": DANA})
                    assert answer.status_code == 303, text_of(answer)
                    asked += 1
                    last_asker = stranger
        await an_hour_passes(pool)
    assert await pool.fetchval(CODES_TO_DANA, DANA) - sent_before == A_DAY

    # Past it, any network she never signed in from, all at once: none goes, and the page
    # says why, and when a code may be asked again (most of a day away: not the hour's wait).
    elsewhere = [await visitor(network(90 + n)) for n in range(5)]
    late = await asyncio.gather(*(ask_code(phone, DANA) for phone in elsewhere))
    for refused in late:
        assert refused.status_code == 429
        assert 20 * 3600 < int(refused.headers["retry-after"]) <= 24 * 3600
        said = text_of(refused)
        assert (
            "We sent no new code: too many codes were asked for dana@example.com today, on"
            " other networks, and we keep its inbox from a flood."
        ) in said
        assert "No code asked for in this browser still works: ask again in 2" in said
        assert "hours, or sign in with a passkey or a code from another phone." in said
        assert (
            "On a Wi-Fi where you signed in before (at home, at work), a code still goes." in said
        )
    assert await pool.fetchval(CODES_TO_DANA, DANA) - sent_before == A_DAY

    # A browser whose codes still work (asked a moment ago, however the test aged them) is
    # told to type the newest.
    again = await last_asker.post(last_asker.url("sign_in_ask"), {"email": DANA})
    assert again.status_code == 429
    assert "The codes asked for in this browser still work: type the newest" in text_of(again)

    # At home, on a new phone, she still gets a code, and it signs her in (the strangers' went
    # out first: hers is the newest in her inbox).
    await code_sent(app, mail, CODE, DANA)
    phone = await visitor(HOME)
    assert "we sent it a code" in text_of(await ask_code(phone, DANA))
    code = await code_sent(app, mail, CODE, DANA)
    signed = await phone.post(phone.url("sign_in_code"), {"email": DANA, "code": code})
    assert signed.status_code == 303, text_of(signed)


async def test_a_person_signing_in_a_few_times_a_day_never_meets_it(new_phone, visitor, pool):
    """Mia, no address confirmed yet (no network of hers is known), signs in on her phone, her
    laptop, a venue's Wi-Fi, a hotel's, asks again where an email was slow: each code goes."""
    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email="mia@example.com")
    for n in range(8):
        for _ in range(2 if n % 2 else 1):
            asked = await ask_code(await visitor(network(200 + n)), "mia@example.com")
            assert asked.status_code == 200, text_of(asked)
            assert "we sent it a code" in text_of(asked)
        await an_hour_passes(pool)
    assert await pool.fetchval(CODES_TO_DANA, "mia@example.com") == 12
