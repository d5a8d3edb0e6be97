"""The Tap screen's forms sent with a key (tap.js adds one) keep only what a second sending
must not redo (``sync.kept``): a swap made, a wrong code's counted guess. A script posting
malformed codes, or its own, each with a fresh key, leaves nothing behind in
``synced_actions``; sent again, such a refusal is refused again alike."""

from __future__ import annotations

import asyncio
import uuid

from server.tap import codes
from tests.limit_counts import hits
from tests.phone import text_of
from tests.swaps.test_sync import replay
from tests.tap.test_routes import code_of, connections, two_phones
from tests.tap.test_sent_once import queued, type_code


async def rows(pool) -> int:  # type: ignore[no-untyped-def]
    return int(await pool.fetchval("SELECT count(*) FROM synced_actions"))


async def test_malformed_and_own_codes_with_fresh_keys_leave_no_row(new_phone, pool):
    dana, mia = await two_phones(new_phone)
    own = await code_of(mia)
    answers = [await type_code(mia, "12ab", str(uuid.uuid4())) for _ in range(30)]
    answers += [await type_code(mia, own, str(uuid.uuid4())) for _ in range(10)]
    assert [a.status_code for a in answers] == [422] * 40
    assert all(codes.MALFORMED in text_of(a) for a in answers[:30])
    assert all(codes.OWN_CODE in text_of(a) for a in answers[30:])
    bad_guests = [
        await mia.post(mia.url("tap_guest"), {"name": "", "key": str(uuid.uuid4())}, htmx=True)
        for _ in range(10)
    ]
    assert [a.status_code for a in bad_guests] == [422] * 10
    assert await rows(pool) == 0
    assert await hits(pool, bucket="account-code-misses") == 0, "none was a guess"
    # Refused often, the form still swaps.
    assert (await type_code(mia, await code_of(dana), str(uuid.uuid4()))).status_code == 204
    assert await connections(pool, "Dana Lee", "Mia Chen") == 2


async def test_a_malformed_code_sent_again_under_its_key_is_refused_again_alike(new_phone, pool):
    """Its answer lost, tap.js queues it: the copy, or the form sent again, gets the same
    refusal, worked out anew, either first or both at once."""
    _dana, mia = await two_phones(new_phone)
    key = str(uuid.uuid4())
    typed = await type_code(mia, "12ab", key)
    assert typed.status_code == 422 and codes.MALFORMED in text_of(typed)
    again = await replay(mia, queued(key, "code", {"code": "12ab"}))
    assert again.status_code == 422
    assert again.json() == {"status": "failed", "message": codes.MALFORMED}
    both = await asyncio.gather(
        type_code(mia, "12ab", key), replay(mia, queued(key, "code", {"code": "12ab"}))
    )
    assert [a.status_code for a in both] == [422, 422]
    assert codes.MALFORMED in text_of(both[0])
    assert await rows(pool) == 0


async def test_a_swap_made_and_a_wrong_code_are_still_kept_for_their_second_sending(
    new_phone, pool
):
    dana, mia = await two_phones(new_phone)
    code = await code_of(dana)
    wrong = "000000" if code != "000000" else "111111"
    wrong_key, right_key = str(uuid.uuid4()), str(uuid.uuid4())
    guessed = await type_code(mia, wrong, wrong_key)
    assert guessed.status_code == 404 and codes.WRONG in text_of(guessed)
    made = await type_code(mia, code, right_key)
    assert made.status_code == 204
    assert await rows(pool) == 2
    # The queued copies: the first answers, no second guess, no second swap.
    again = await replay(mia, queued(wrong_key, "code", {"code": wrong}))
    assert again.json() == {"status": "failed", "message": codes.WRONG}
    swapped = await replay(mia, queued(right_key, "code", {"code": code}))
    assert swapped.json()["url"] == made.headers["HX-Redirect"]
    assert await hits(pool, bucket="account-code-misses") == 1
    assert await connections(pool, "Dana Lee", "Mia Chen") == 2
    assert await rows(pool) == 2
