"""Swaps queued offline and replayed: once per key, whatever the number of replays."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from server.cards import share_tokens
from server.swaps import sync
from server.tap import codes
from tests.conftest import TEST_SECRET
from tests.limit_counts import hits
from tests.phone import Phone
from tests.tap.test_routes import code_of, connections, two_phones


async def replay(phone: Phone, body: object, *, cross_site: bool = False):  # type: ignore[no-untyped-def]
    headers = {
        "content-type": "application/json",
        "accept": "application/json",
        "sec-fetch-site": "cross-site" if cross_site else "same-origin",
    }
    return await phone.client.post(
        phone.url("sync_action"), content=json.dumps(body), headers=headers
    )


def action(kind: str, payload: dict[str, str], made_at: float | None = None) -> dict[str, object]:
    return {
        "key": str(uuid.uuid4()),
        "kind": kind,
        "made_at": made_at if made_at is not None else time.time() * 1000,
        "payload": payload,
    }


def token_of(link: str) -> str:
    return link.rsplit("/", 1)[-1]


async def test_a_scan_replayed_many_times_connects_once(new_phone, pool):
    dana, mia = await two_phones(new_phone)
    scan = action("scan", {"token": token_of(await dana.share_link())})
    answers = await asyncio.gather(*(replay(mia, scan) for _ in range(5)))
    assert {answer.status_code for answer in answers} == {200}
    bodies = [answer.json() for answer in answers]
    assert all(body == bodies[0] for body in bodies), "every replay gets the first answer"
    assert bodies[0]["status"] == "done"
    assert bodies[0]["message"] == "Swapped with Dana Lee."
    assert (await mia.get(bodies[0]["url"])).status_code == 200
    assert await connections(pool, "Dana Lee", "Mia Chen") == 2
    assert await pool.fetchval("SELECT count(*) FROM followups") == 2


async def test_a_swap_made_offline_keeps_the_moment_it_was_made(new_phone, pool):
    dana, mia = await two_phones(new_phone)
    made = datetime.now(UTC) - timedelta(minutes=7)
    scan = action("scan", {"token": token_of(await dana.share_link())}, made.timestamp() * 1000)
    assert (await replay(mia, scan)).json()["status"] == "done"
    met = await pool.fetch("SELECT met_at FROM contacts")
    assert all(abs(row["met_at"] - made) < timedelta(seconds=1) for row in met)


async def test_a_key_replayed_with_a_different_payload_is_refused(new_phone, pool):
    dana, mia = await two_phones(new_phone)
    sam = await new_phone()
    await sam.make_card(name="Sam Roe", email="sam@example.com")
    scan = action("scan", {"token": token_of(await dana.share_link())})
    assert (await replay(mia, scan)).status_code == 200
    forged = {**scan, "payload": {"token": token_of(await sam.share_link())}}
    answer = await replay(mia, forged)
    assert answer.status_code == 409
    assert answer.json()["status"] == "failed"
    assert "different details" in answer.json()["message"]
    assert await connections(pool, "Sam Roe", "Mia Chen") == 0
    assert await connections(pool, "Dana Lee", "Mia Chen") == 2


async def test_a_scan_of_a_code_valid_when_scanned_still_syncs_but_a_reset_one_does_not(
    new_phone, pool
):
    dana, mia = await two_phones(new_phone)
    account = await pool.fetchval("SELECT share_id FROM cards WHERE name = 'Dana Lee'")
    scanned_at = datetime.now(UTC) - timedelta(minutes=8)
    issued_at = scanned_at - timedelta(hours=1)
    old_token = share_tokens.issue(TEST_SECRET, account, 0, issued_at, timedelta(minutes=65))
    late = action("scan", {"token": old_token}, scanned_at.timestamp() * 1000)
    assert (await replay(mia, late)).json()["status"] == "done"

    sam = await new_phone()
    await sam.make_card(name="Sam Roe", email="sam@example.com")
    token = token_of(await dana.share_link())
    await dana.post(dana.url("share_reset"))
    answer = await replay(sam, action("scan", {"token": token}))
    assert answer.status_code == 410
    assert "replaced by a newer one" in answer.json()["message"]
    assert await connections(pool, "Dana Lee", "Sam Roe") == 0


async def test_a_code_typed_offline_swaps_once_and_a_wrong_one_fails_clearly(new_phone, pool):
    dana, mia = await two_phones(new_phone)
    code = await code_of(dana)
    wrong = action("code", {"code": "000000" if code != "000000" else "111111"})
    answer = await replay(mia, wrong)
    assert answer.status_code == 404
    assert answer.json() == {"status": "failed", "message": codes.WRONG}
    again = await replay(mia, wrong)
    assert again.json() == answer.json()
    assert await hits(pool, bucket="account-code-misses") == 1, "a replay is no new guess"

    right = action("code", {"code": code})
    first, second = await asyncio.gather(replay(mia, right), replay(mia, right))
    assert first.json()["message"] == second.json()["message"] == "Swapped with Dana Lee."
    assert await connections(pool, "Dana Lee", "Mia Chen") == 2


async def test_a_rate_limited_code_stays_retryable(new_phone, pool, monkeypatch):
    monkeypatch.setattr(codes, "MAX_MISSES_PER_ACCOUNT", 0)
    dana, mia = await two_phones(new_phone)
    right = action("code", {"code": await code_of(dana)})
    limited = await replay(mia, right)
    assert limited.status_code == 429
    assert limited.json()["status"] == "retry"
    monkeypatch.setattr(codes, "MAX_MISSES_PER_ACCOUNT", 10)
    later = await replay(mia, right)
    assert later.status_code == 200 and later.json()["status"] == "done"


async def test_a_guest_left_on_my_phone_offline_syncs_once(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    guest = action("guest", {"name": "Lou Park", "email": "lou@example.com"})
    answers = await asyncio.gather(replay(dana, guest), replay(dana, guest))
    assert [answer.json()["message"] for answer in answers] == ["Swapped with Lou Park."] * 2
    assert await pool.fetchval("SELECT count(*) FROM cards WHERE name = 'Lou Park'") == 1
    assert await connections(pool, "Dana Lee", "Lou Park") == 2

    bad = await replay(dana, action("guest", {"name": "", "email": "not an email"}))
    assert bad.status_code == 422
    assert bad.json()["status"] == "failed"


async def test_bad_requests_get_clear_json_answers_and_change_nothing(new_phone, pool):
    dana, mia = await two_phones(new_phone)
    token = token_of(await dana.share_link())
    cases = [
        (b"not json", 400),
        (json.dumps({"key": "nope", "kind": "scan", "payload": {"token": token}}).encode(), 400),
        (json.dumps({"key": str(uuid.uuid4()), "kind": "wire", "payload": {}}).encode(), 400),
        (
            json.dumps(
                {"key": str(uuid.uuid4()), "kind": "scan", "payload": {"token": 5}}
            ).encode(),
            400,
        ),
        (json.dumps(action("scan", {"token": "x" * 38})).encode(), 404),
        (json.dumps(action("scan", {"token": token_of(await mia.share_link())})).encode(), 400),
    ]
    for content, status in cases:
        answer = await mia.client.post(
            mia.url("sync_action"),
            content=content,
            headers={"sec-fetch-site": "same-origin", "content-type": "application/json"},
        )
        assert answer.status_code == status, content
        assert answer.json()["status"] == "failed"
        assert answer.json()["message"]
    cross_site = await replay(mia, action("scan", {"token": token}), cross_site=True)
    assert cross_site.status_code == 403 and cross_site.json()["status"] == "failed"
    stranger = await new_phone()
    signed_out = await replay(stranger, action("scan", {"token": token}))
    assert signed_out.status_code == 403 and "Make your card" in signed_out.json()["message"]
    assert await pool.fetchval("SELECT count(*) FROM contacts") == 0


def ms(moment: datetime) -> float:
    return moment.timestamp() * 1000


async def test_a_code_retired_by_new_code_is_dead_even_for_a_swap_queued_before_it(new_phone, pool):
    """Dana's code was on screen two minutes; she saw someone read it over her shoulder and
    tapped "New code". The onlooker's swap "queued offline" a minute before that fails too."""
    dana, mia = await two_phones(new_phone)
    old = await code_of(dana)
    await pool.execute(
        "UPDATE swap_codes SET created_at = now() - interval '2 minutes',"
        " expires_at = now() + interval '8 minutes'"
    )
    assert await code_of(dana, fresh=True) != old
    typed_now = await mia.post(mia.url("tap_code_enter"), {"code": old}, htmx=True)
    assert typed_now.status_code == 404
    backdated = action("code", {"code": old}, ms(datetime.now(UTC) - timedelta(minutes=1)))
    answer = await replay(mia, backdated)
    assert answer.status_code == 404
    assert answer.json() == {"status": "failed", "message": codes.WRONG}
    assert await connections(pool, "Dana Lee", "Mia Chen") == 0
    # A code that merely ran out is not retired: typed offline while it lived, it still swaps.
    sam = await new_phone()
    await sam.make_card(name="Sam Roe", email="sam@example.com")
    ran_out = await code_of(sam)
    await pool.execute(
        "UPDATE swap_codes SET created_at = now() - interval '11 minutes',"
        " expires_at = now() - interval '1 minute' WHERE code = $1",
        ran_out,
    )
    typed = ms(datetime.now(UTC) - timedelta(minutes=3))
    answer = await replay(mia, action("code", {"code": ran_out}, typed))
    assert answer.json()["message"] == "Swapped with Sam Roe."


@pytest.mark.parametrize("clock_off", [timedelta(seconds=-90), timedelta(minutes=5)])
async def test_a_code_typed_offline_on_a_phone_whose_clock_is_off_still_swaps(
    new_phone, pool, clock_off
):
    """Mia's phone clock runs slow (90 s) or fast (5 minutes): its outbox stamps the moment by
    that clock, and sends that clock's time as it sends. Typed at once as Dana showed her code
    (slow: by Mia's clock, before the code existed), or two minutes before the code ran out
    and sent after (fast: by Mia's clock, after it ran out), the swap is made."""
    dana, mia = await two_phones(new_phone)
    code = await code_of(dana)
    real_typed = datetime.now(UTC)
    if clock_off > timedelta(0):
        await pool.execute(
            "UPDATE swap_codes SET created_at = now() - interval '11 minutes',"
            " expires_at = now() - interval '1 minute'"
        )
        real_typed -= timedelta(minutes=3)
    queued = action("code", {"code": code}, ms(real_typed + clock_off))
    queued["sent_at"] = ms(datetime.now(UTC) + clock_off)
    answer = await replay(mia, queued)
    assert answer.json()["message"] == "Swapped with Dana Lee.", answer.json()
    assert await connections(pool, "Dana Lee", "Mia Chen") == 2


def test_the_moment_of_a_queued_swap_is_placed_by_the_phone_s_elapsed_time():
    now = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
    phone = ms(datetime(2020, 1, 1, tzinfo=UTC))  # a phone whose clock says 2020
    assert sync.made_at(sync.Stamp(phone, phone + 60_000), now, "code") == now - timedelta(
        minutes=1
    )
    # Sent before it was made (the clock set back meanwhile): no time passed, not the future.
    assert sync.made_at(sync.Stamp(phone, phone - 60_000), now, "code") == now
    # No sent_at, or one that is no number: made_at as it is, bounded as always.
    for sent in (None, "soon", True, float("nan"), 10**400):
        assert sync.made_at(sync.Stamp(phone, sent), now, "code") == now - sync.RECENT
    assert sync.made_at(sync.Stamp(ms(now) - 1000, None), now, "code") == now - timedelta(seconds=1)
    assert sync.made_at(sync.Stamp(phone, ms(now) + 10**20), now, "guest") == now - sync.OLDEST
