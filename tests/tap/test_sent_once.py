"""The Tap screen's forms sent with a key (tap.js): the copy its outbox sends again, when the
network lost the answer or the request, gets the first answer and makes nothing twice."""

from __future__ import annotations

import asyncio
import uuid

from server.swaps import sync
from server.tap import codes
from tests.limit_counts import hits
from tests.phone import Phone, soup, text_of
from tests.swaps.test_sync import replay
from tests.tap.test_routes import code_of, connections, two_phones

LOU = {"name": "Lou Park", "email": "lou@example.com"}


def queued(key: str, kind: str, payload: dict[str, str]) -> dict[str, object]:
    """What tap.js queues when its POST of ``payload`` with ``key`` got no answer."""
    return {"key": key, "kind": kind, "made_at": None, "payload": payload}


async def type_code(phone: Phone, code: str, key: str):  # type: ignore[no-untyped-def]
    return await phone.post(phone.url("tap_code_enter"), {"code": code, "key": key}, htmx=True)


async def lou_count(pool) -> int:  # type: ignore[no-untyped-def]
    return int(await pool.fetchval("SELECT count(*) FROM cards WHERE name = 'Lou Park'"))


async def test_a_code_whose_answer_was_lost_and_queued_swaps_once(new_phone, pool):
    dana, mia = await two_phones(new_phone)
    code, key = await code_of(dana), str(uuid.uuid4())
    typed = await type_code(mia, code, key)
    assert typed.status_code == 204

    again = await replay(mia, queued(key, "code", {"code": code}))
    assert again.status_code == 200
    assert again.json() == {
        "status": "done",
        "message": "Swapped with Dana Lee.",
        "name": "Dana Lee",
        "url": typed.headers["HX-Redirect"],
    }
    assert await connections(pool, "Dana Lee", "Mia Chen") == 2
    assert await pool.fetchval("SELECT count(*) FROM followups") == 2


async def test_a_code_queued_while_its_first_post_was_still_on_its_way_swaps_once(new_phone, pool):
    """The page gave up on a slow POST and queued it; both reach the server, either first."""
    dana, mia = await two_phones(new_phone)
    code, key = await code_of(dana), str(uuid.uuid4())
    typed, again = await asyncio.gather(
        type_code(mia, code, key), replay(mia, queued(key, "code", {"code": code}))
    )
    assert typed.status_code == 204
    assert again.json()["url"] == typed.headers["HX-Redirect"]
    assert await connections(pool, "Dana Lee", "Mia Chen") == 2


async def test_a_wrong_code_sent_with_a_key_counts_as_one_guess(new_phone, pool):
    dana, mia = await two_phones(new_phone)
    code, key = await code_of(dana), str(uuid.uuid4())
    wrong = "000000" if code != "000000" else "111111"
    typed = await type_code(mia, wrong, key)
    assert typed.status_code == 404 and codes.WRONG in text_of(typed)

    again = await replay(mia, queued(key, "code", {"code": wrong}))
    assert again.status_code == 404
    assert again.json() == {"status": "failed", "message": codes.WRONG}
    assert await hits(pool, bucket="account-code-misses") == 1, "the copy is no new guess"
    assert await pool.fetchval("SELECT near_misses FROM swap_codes") <= 1


async def test_a_code_refused_for_too_many_guesses_keeps_its_key_free(new_phone, pool, monkeypatch):
    """Nothing was done, so nothing is recorded: the queued copy sent later may still swap."""
    monkeypatch.setattr(codes, "MAX_MISSES_PER_ACCOUNT", 0)
    dana, mia = await two_phones(new_phone)
    code, key = await code_of(dana), str(uuid.uuid4())
    limited = await type_code(mia, code, key)
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0
    assert "Too many wrong codes" in text_of(limited)

    monkeypatch.setattr(codes, "MAX_MISSES_PER_ACCOUNT", 10)
    later = await replay(mia, queued(key, "code", {"code": code}))
    assert later.status_code == 200 and later.json()["status"] == "done"
    assert await connections(pool, "Dana Lee", "Mia Chen") == 2


async def test_a_key_sent_again_with_other_details_is_refused(new_phone, pool):
    dana, mia = await two_phones(new_phone)
    code, key = await code_of(dana), str(uuid.uuid4())
    assert (await type_code(mia, code, key)).status_code == 204

    other = "000000" if code != "000000" else "111111"
    forged = await replay(mia, queued(key, "code", {"code": other}))
    assert forged.status_code == 409 and forged.json()["message"] == sync.KEY_REUSED
    typed = await type_code(mia, other, key)
    assert typed.status_code == 409 and sync.KEY_REUSED in text_of(typed)
    assert await hits(pool, bucket="account-code-misses") == 0, "neither was a guess"
    assert await connections(pool, "Dana Lee", "Mia Chen") == 2


async def test_a_guest_whose_answer_was_lost_and_queued_is_made_once(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    key = str(uuid.uuid4())
    saved = await dana.post(dana.url("tap_guest"), {**LOU, "key": key})
    assert saved.status_code == 303
    page = await dana.get(saved.headers["location"])
    assert (
        "Lou Park is in your contacts. We'll email them your card if we can: we limit how many"
        " emails an address gets each day. Reach out to them yourself too."
    ) in text_of(page)

    again = await replay(dana, queued(key, "guest", LOU))
    assert again.status_code == 200
    assert again.json()["message"] == "Swapped with Lou Park."
    assert soup(await dana.get(again.json()["url"])).h1.get_text(strip=True) == "Lou Park"
    assert await lou_count(pool) == 1
    assert await connections(pool, "Dana Lee", "Lou Park") == 2
    assert await pool.fetchval("SELECT count(*) FROM emails") == 1, "one 'You met' email"


async def test_a_guest_whose_queued_copy_came_first_is_made_once(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    key = str(uuid.uuid4())
    first = await replay(dana, queued(key, "guest", LOU))
    assert first.json()["status"] == "done"

    late = await dana.post(dana.url("tap_guest"), {**LOU, "key": key}, htmx=True)
    assert late.status_code == 204
    assert late.headers["HX-Redirect"] == first.json()["url"]
    assert await lou_count(pool) == 1


async def test_guest_details_refused_claim_no_key(new_phone, pool):
    """Put right and sent again under the same key (a queued copy), they are checked again."""
    dana = await new_phone()
    await dana.make_card()
    key = str(uuid.uuid4())
    bad = await dana.post(dana.url("tap_guest"), {"name": "Lou Park", "key": key}, htmx=True)
    assert bad.status_code == 422
    assert await pool.fetchval("SELECT count(*) FROM synced_actions") == 0
    assert await lou_count(pool) == 0


async def test_a_form_sent_without_a_usable_key_works_as_without_javascript(new_phone, pool):
    dana, mia = await two_phones(new_phone)
    code = await code_of(dana)
    assert (await type_code(mia, code, "not a key")).status_code == 204
    saved = await dana.post(dana.url("tap_guest"), {**LOU, "key": ""})
    assert saved.status_code == 303
    assert await pool.fetchval("SELECT count(*) FROM synced_actions") == 0
    assert await connections(pool, "Dana Lee", "Mia Chen") == 2
    assert await lou_count(pool) == 1
