"""A reminder's "Done" and "Snooze" buttons as attacks: replayed after a snooze, replayed
after "Done", used after they expired, or with their round or expiry edited.

Each link is what the real worker put in the push message; each refusal is a page saying why,
and changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

from server.followups import push_actions
from tests.conftest import TEST_SECRET
from tests.phone import text_of
from tests.reminders import make_due, running_worker, subscribe, swapped


async def pushed_actions(new_phone, push, app, pool) -> tuple[dict[str, str], int]:
    """Dana swapped with Mia and has reminders on; the worker pushes her reminder."""
    dana, _ = await swapped(new_phone)
    device = await subscribe(dana, push)
    await make_due(pool)
    async with running_worker(app, push) as worker:
        await worker.run_once()
    [message] = push.received_for(device)
    followup_id = await pool.fetchval("SELECT id FROM followups WHERE owner_id = 1")
    return message.json()["actions"], followup_id


async def followup(pool, followup_id: int) -> tuple[str, int]:
    row = await pool.fetchrow("SELECT status, round FROM followups WHERE id = $1", followup_id)
    return row["status"], row["round"]


async def test_the_pushed_buttons_name_the_round_and_an_expiry(new_phone, push, app, pool):
    actions, _ = await pushed_actions(new_phone, push, app, pool)
    for action in ("done", "snooze"):
        query = parse_qs(urlsplit(actions[action]).query)
        assert query["round"] == ["0"]
        until = datetime.fromtimestamp(int(query["until"][0]), UTC)
        days = (until - datetime.now(UTC)) / timedelta(days=1)
        assert push_actions.ACTION_DAYS - 0.01 < days <= push_actions.ACTION_DAYS


async def test_snooze_replayed_after_the_snooze_changes_nothing(new_phone, push, app, pool):
    actions, followup_id = await pushed_actions(new_phone, push, app, pool)
    stranger = await new_phone()  # the links need no session: a copy works anywhere
    assert (await stranger.client.post(actions["snooze"])).status_code == 204
    snoozed = await followup(pool, followup_id)
    assert snoozed == ("open", 1)
    due = await pool.fetchval("SELECT due_at FROM followups WHERE id = $1", followup_id)

    # The same notification's buttons, tapped again (or replayed from a copy of the URL).
    for action in ("snooze", "done"):
        again = await stranger.client.post(actions[action])
        assert again.status_code == 409
        assert "already done or snoozed" in text_of(again)
    assert await followup(pool, followup_id) == snoozed
    assert await pool.fetchval("SELECT due_at FROM followups WHERE id = $1", followup_id) == due


async def test_done_replayed_changes_nothing_and_says_so(new_phone, push, app, pool):
    actions, followup_id = await pushed_actions(new_phone, push, app, pool)
    assert (await (await new_phone()).client.post(actions["done"])).status_code == 204
    done_at = await pool.fetchval("SELECT done_at FROM followups WHERE id = $1", followup_id)
    for action in ("done", "snooze"):
        replay = await (await new_phone()).client.post(actions[action])
        assert replay.status_code == 409
        assert "Mia Chen was already done or snoozed" in text_of(replay)
    assert await followup(pool, followup_id) == ("done", 0)
    assert (
        await pool.fetchval("SELECT done_at FROM followups WHERE id = $1", followup_id) == done_at
    )


async def test_expired_buttons_are_refused_with_a_page(new_phone, push, app, pool):
    _, followup_id = await pushed_actions(new_phone, push, app, pool)
    phone = await new_phone()
    path = phone.url("followup_from_notification", followup_id=followup_id, action="done")
    long_ago = datetime.now(UTC) - timedelta(days=push_actions.ACTION_DAYS, seconds=1)
    query = push_actions.signed_query(TEST_SECRET, followup_id, 1, "done", 0, long_ago)
    response = await phone.client.post(f"{path}?{query}")
    assert response.status_code == 410
    assert "buttons have expired" in text_of(response)
    assert response.headers["content-type"].startswith("text/html")
    assert await followup(pool, followup_id) == ("open", 0)


async def test_edited_round_or_expiry_is_refused(new_phone, push, app, pool):
    actions, followup_id = await pushed_actions(new_phone, push, app, pool)
    phone = await new_phone()
    path, _, raw_query = actions["done"].partition("?")
    query = {name: values[0] for name, values in parse_qs(raw_query).items()}
    edits = [
        {"round": "1"},
        {"until": str(int(query["until"]) + 86400 * 365)},
        {"owner": "2"},
        {"round": "-1"},
        {"until": "9" * 40},
        {"sig": ""},
    ]
    for edit in edits:
        response = await phone.client.post(f"{path}?{urlencode({**query, **edit})}")
        assert response.status_code == 403, edit
        assert "not valid" in text_of(response)
    # The link for one action does not do the other.
    snooze_path = path.replace("/done/", "/snooze/")
    assert (await phone.client.post(f"{snooze_path}?{raw_query}")).status_code == 403
    assert await followup(pool, followup_id) == ("open", 0)
