"""A script with one card posting queued swaps that are refused, each with a fresh key, as
fast as it can: nothing of them is kept (a wrong code's guess aside), and past a limit it is
told to wait (429, Retry-After), as is a phone asking again and again which accounts were
merged into its own. A phone back online after an event, sending a queue of 300 one after
another as outbox.js does, is answered in full."""

from __future__ import annotations

import asyncio

import pytest

from server.swaps import rates, sync
from server.web import limits
from tests.limit_counts import hits
from tests.swaps.test_flood import details, sharer
from tests.swaps.test_sync import action, replay, token_of
from tests.swaps.test_sync_account import account_of
from tests.tap.test_routes import code_of, two_phones

UNKNOWN_TOKEN = "x" * 38


@pytest.fixture(autouse=True)
def no_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 429 answered at once: the pause (SlowDownMiddleware) is not what is tested here."""
    monkeypatch.setattr(limits, "PAUSE_BEFORE_429", 0.0)


async def rows(pool) -> int:  # type: ignore[no-untyped-def]
    return int(await pool.fetchval("SELECT count(*) FROM synced_actions"))


async def used(pool, rule: limits.Rule, key: object, count: int) -> None:  # type: ignore[no-untyped-def]
    """``count`` more hits counted, as if an hour of traffic came before."""
    await pool.execute(
        "INSERT INTO limit_slots AS s (bucket, key, slot, hits) VALUES ($1, $2, limit_slot($4), $3)"
        " ON CONFLICT ON CONSTRAINT limit_slots_pkey DO UPDATE SET hits = s.hits + $3",
        rule.bucket,
        str(key),
        count,
        rule.span,
    )


async def use_up(pool, rule: limits.Rule) -> None:  # type: ignore[no-untyped-def]
    """The address (the one key counted so far) has used its whole allowance: a venue."""
    address = await pool.fetchval("SELECT key FROM limit_slots WHERE bucket = $1", rule.bucket)
    await used(pool, rule, address, rule.most)


def waits(answer, rule: limits.Rule) -> None:  # type: ignore[no-untyped-def]
    assert answer.status_code == 429, answer.text
    body = answer.json()
    assert body["status"] == "retry", body
    assert int(answer.headers["retry-after"]) == body["retry_after"]
    assert 0 < body["retry_after"] <= rule.span.total_seconds()
    assert body["message"] == rule.says.format(wait=limits.wait_in_words(body["retry_after"]))


async def test_refused_guests_and_scans_with_fresh_keys_leave_no_row(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    bad_guest = [replay(dana, action("guest", {"name": ""})) for _ in range(60)]
    bad_scan = [replay(dana, action("scan", {"token": UNKNOWN_TOKEN})) for _ in range(60)]
    answers = await asyncio.gather(*bad_guest, *bad_scan)
    assert sorted(a.status_code for a in answers) == [404] * 60 + [422] * 60
    assert all(a.json()["status"] == "failed" and a.json()["message"] for a in answers)
    assert await rows(pool) == 0
    # Each counted, though: the limit below.
    assert await hits(pool, bucket="account-sync-refused") == 120


async def test_a_script_s_burst_of_refused_guests_is_told_to_wait_after_500(new_phone, pool):
    """The reviewer's script, as it ran: refused guests (an empty name) with fresh keys, as
    fast as one phone sends them. 500 an hour are answered (a queue of a few hundred fits);
    the rest are told to wait, and none leaves a row."""
    dana = await new_phone()
    await dana.make_card()
    statuses: list[int] = []
    for _ in range(11):
        batch = [replay(dana, action("guest", {"name": ""})) for _ in range(50)]
        statuses += [answer.status_code for answer in await asyncio.gather(*batch)]
    assert sorted(statuses) == [422] * 500 + [429] * 50
    assert await rows(pool) == 0


async def test_refused_swaps_past_the_limit_are_told_to_wait(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    dana_id = await account_of(pool, "Dana Lee")
    await used(
        pool, rates.SYNC_REFUSED_PER_ACCOUNT, dana_id, rates.SYNC_REFUSED_PER_ACCOUNT.most - 3
    )
    answers = await asyncio.gather(
        *(replay(dana, action("guest", {"name": ""})) for _ in range(10))
    )
    assert sorted(a.status_code for a in answers) == [422] * 3 + [429] * 7
    waits(next(a for a in answers if a.status_code == 429), rates.SYNC_REFUSED_PER_ACCOUNT)
    # Past it, a code is not even tried (a guess never goes uncounted), nor a good swap made:
    # kept on the phone, sent again when told.
    _ben, link = await sharer(new_phone, "Ben Ode")
    for kind, payload in (("code", {"code": "000000"}), ("scan", {"token": token_of(link)})):
        waits(await replay(dana, action(kind, payload)), rates.SYNC_REFUSED_PER_ACCOUNT)
    assert await hits(pool, bucket="account-code-misses") == 0
    assert await pool.fetchval("SELECT count(*) FROM contacts") == 0
    assert await rows(pool) == 0


async def test_refused_swaps_from_one_address_past_its_limit_are_told_to_wait(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    first = await replay(dana, action("scan", {"token": UNKNOWN_TOKEN}))
    assert first.status_code == 404
    await use_up(pool, rates.SYNC_REFUSED_PER_ADDRESS)
    # Another card on the same network: the address, not the account, is used up.
    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email="mia@example.com")
    waits(
        await replay(mia, action("scan", {"token": UNKNOWN_TOKEN})),
        rates.SYNC_REFUSED_PER_ADDRESS,
    )


async def test_a_key_already_answered_is_answered_again_past_the_limit(new_phone, pool):
    dana, mia = await two_phones(new_phone)
    scan = action("scan", {"token": token_of(await dana.share_link())})
    made = await replay(mia, scan)
    assert made.json()["status"] == "done"
    wrong = action("code", {"code": "000000" if await code_of(dana) != "000000" else "111111"})
    guessed = await replay(mia, wrong)
    assert guessed.status_code == 404
    mia_id = await account_of(pool, "Mia Chen")
    await used(pool, rates.SYNC_REFUSED_PER_ACCOUNT, mia_id, rates.SYNC_REFUSED_PER_ACCOUNT.most)
    # The page and the service worker both sent them, or an answer was lost: the first answer.
    assert (await replay(mia, scan)).json() == made.json()
    assert (await replay(mia, wrong)).json() == guessed.json()
    # A wrong code's answer is kept: sent again it is no second guess.
    assert await hits(pool, bucket="account-code-misses") == 1
    assert await rows(pool) == 2


async def test_a_refusal_sent_again_is_refused_again_alike(new_phone, pool):
    _dana, mia = await two_phones(new_phone)
    guest = action("guest", {"name": "Lou Park", "email": "not an email"})
    scan = action("scan", {"token": token_of(await mia.share_link())})  # her own card
    for queued in (guest, scan):
        first = await replay(mia, queued)
        assert first.status_code in (400, 422)
        again = await replay(mia, queued)
        assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert await rows(pool) == 0


async def test_a_phone_s_queue_of_300_after_an_event_is_answered_in_full(new_phone, pool):
    """Back online after a day at an event: 100 scans (the most an hour allows anyway), 20
    guests, and 180 scans of links replaced since (each person made a new code), sent one
    after another as outbox.js's flush does. Every one gets its final answer, none a 429."""
    dana = await new_phone()
    await dana.make_card()
    # Her card made the day before: a card made in the last hour gets ten guests emailed.
    await pool.execute("UPDATE accounts SET created_at = now() - interval '1 day'")
    people = [await sharer(new_phone, f"Person{n} Lee") for n in range(5)]
    replaced = [token_of(link) for _phone, link in people]
    links = []
    for phone, _link in people:
        await phone.post(phone.url("share_reset"))
        links.append(token_of(await phone.share_link()))
    queue = (
        [action("scan", {"token": links[n % 5]}) for n in range(100)]
        + [action("guest", details(n)) for n in range(20)]
        + [action("scan", {"token": replaced[n % 5]}) for n in range(180)]
    )
    answers = [await replay(dana, queued) for queued in queue]
    statuses = [a.status_code for a in answers]
    assert statuses == [200] * 120 + [410] * 180, sorted(set(statuses))
    # What was made is kept for a replay; what was refused leaves nothing behind.
    assert await rows(pool) == 120


async def test_look_ups_of_merged_accounts_past_the_limit_are_told_to_wait(new_phone, pool):
    """A page and its service worker ask at every try of the queue: 120 in 10 minutes is
    far more than that; a script asking in a loop is told to wait."""
    dana = await new_phone()
    await dana.make_card()
    answers = [await replay(dana, {"merged": [12, 15]}) for _ in range(130)]
    assert [a.status_code for a in answers] == [200] * 120 + [429] * 10
    waits(answers[-1], rates.MERGED_LOOK_UPS_PER_ACCOUNT)


async def test_a_flood_of_look_ups_from_one_address_is_told_to_wait(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    assert (await replay(dana, {"merged": []})).status_code == 200
    rule = rates.MERGED_LOOK_UPS_PER_ADDRESS
    await use_up(pool, rule)
    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email="mia@example.com")
    waits(await replay(mia, {"merged": [12]}), rule)


def test_only_what_a_second_sending_must_not_redo_is_kept() -> None:
    assert sync.kept("scan", 200) and sync.kept("guest", 200) and sync.kept("code", 200)
    assert sync.kept("code", 404)  # a wrong code: a guess counted
    assert not sync.kept("code", 422)  # malformed, or my own code: nothing counted
    assert not any(sync.kept(kind, 410) or sync.kept(kind, 403) for kind in ("scan", "guest"))
    assert not sync.kept("guest", 422)
