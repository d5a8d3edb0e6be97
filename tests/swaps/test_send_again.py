"""Send tapped again after the venue's network lost the answer: the same try, not a second
person (the key the page sends with each try, ``attempt``)."""

from __future__ import annotations

import asyncio

from tests.phone import text_of

MIA = {
    "name": "Mia Chen",
    "email": "mia@example.com",
    "attempt": "5f0c6a9e-8d1b-4c3f-9b7e-2a4d6e8f0a1c",
}


async def sharer_and_link(new_phone):
    dana = await new_phone()
    await dana.make_card()
    return dana, await dana.share_link()


async def test_send_again_after_a_lost_answer_signs_in_to_the_card_it_made(new_phone, pool):
    dana, link = await sharer_and_link(new_phone)
    mia = await new_phone()
    first = await mia.post(link + "/details", MIA)
    assert first.status_code == 303
    # The answer, with its cookie, never reached the phone.
    mia.client.cookies.clear()

    again = await mia.post(link + "/details", MIA)
    assert again.status_code == 303
    assert again.headers["location"] == first.headers["location"]
    welcome = await mia.get(again.headers["location"])
    assert "Done! Dana Lee has your details, and you have theirs." in text_of(welcome)

    listing = text_of(await dana.get(dana.url("contacts")))
    assert listing.count("Mia Chen") == 1
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 2
    assert await pool.fetchval("SELECT count(*) FROM emails WHERE kind = 'met'") == 1
    assert "Dana Lee" in text_of(await mia.get(mia.url("contacts")))


async def test_two_sends_of_one_try_at_once_make_one_card(new_phone, pool):
    _dana, link = await sharer_and_link(new_phone)
    phones = [await new_phone(), await new_phone()]
    answers = await asyncio.gather(*(phone.post(link + "/details", MIA) for phone in phones))
    assert [answer.status_code for answer in answers] == [303, 303]
    assert answers[0].headers["location"] == answers[1].headers["location"]
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 2


async def test_other_tries_and_other_cards_are_other_people(new_phone, pool):
    dana, link = await sharer_and_link(new_phone)
    ben = await new_phone()
    await ben.make_card(name="Ben Ode", email="ben@example.com")
    ben_link = await ben.share_link()

    mia, sam = await new_phone(), await new_phone()
    assert (await mia.post(link + "/details", MIA)).status_code == 303
    sam_try = {**MIA, "name": "Sam Roe", "email": "sam@example.com", "attempt": "a" * 32}
    assert (await sam.post(link + "/details", sam_try)).status_code == 303
    listing = text_of(await dana.get(dana.url("contacts")))
    assert "Mia Chen" in listing and "Sam Roe" in listing

    # The same key on another card (a key is made per form) is not the same try.
    mia.client.cookies.clear()
    assert (await mia.post(ben_link + "/details", MIA)).status_code == 303
    assert "Mia Chen" in text_of(await ben.get(ben.url("contacts")))
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 5


async def test_a_try_sent_again_after_ten_minutes_is_a_new_one(new_phone, pool):
    _dana, link = await sharer_and_link(new_phone)
    mia = await new_phone()
    assert (await mia.post(link + "/details", MIA)).status_code == 303
    await pool.execute("UPDATE link_joins SET made_at = now() - interval '11 minutes'")
    mia.client.cookies.clear()
    assert (await mia.post(link + "/details", MIA)).status_code == 303
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 3


async def test_a_key_that_is_not_one_is_ignored(new_phone, pool):
    _dana, link = await sharer_and_link(new_phone)
    for attempt in ("short", "<script>" * 8, "x" * 65):
        phone = await new_phone()
        response = await phone.post(link + "/details", {**MIA, "attempt": attempt})
        assert response.status_code == 303
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 4
    assert await pool.fetchval("SELECT count(*) FROM link_joins") == 0
