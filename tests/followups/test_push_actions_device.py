"""A reminder's "Done" and "Snooze" buttons act only from the device they were pushed to, while
it is still subscribed: a lost phone signed out (or removed in Settings) keeps its reminder on
the lock screen, but its buttons no longer change anything, and say why without naming whom
the reminder was about. The service worker then opens the follow-up (web/static/sw-push.js).
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlencode

from server.followups import push_actions
from tests.conftest import TEST_SECRET
from tests.phone import text_of
from tests.reminders import make_due, running_worker, subscribe, swapped


async def followup(pool, followup_id: int) -> tuple[str, int]:
    row = await pool.fetchrow("SELECT status, round FROM followups WHERE id = $1", followup_id)
    return row["status"], row["round"]


async def dana_pushed(new_phone, push, app, pool):  # type: ignore[no-untyped-def]
    """Dana swapped with Mia and has reminders on this phone; the worker pushes her reminder."""
    dana, mia = await swapped(new_phone)
    device = await subscribe(dana, push)
    await make_due(pool)
    async with running_worker(app, push) as worker:
        await worker.run_once()
    [message] = push.received_for(device)
    followup_id = await pool.fetchval("SELECT id FROM followups WHERE owner_id = 1")
    return dana, mia, message.json()["actions"], followup_id


async def assert_refused_for_the_device(new_phone, pool, actions, followup_id) -> None:  # type: ignore[no-untyped-def]
    for action in ("done", "snooze"):
        # The notification still on the lock screen, tapped there (or its URL, copied).
        refused = await (await new_phone()).client.post(actions[action])
        assert refused.status_code == 410, (action, refused.text)
        assert "device it was sent to was signed out or removed" in text_of(refused)
        assert refused.headers["content-type"].startswith("text/html")
        assert "Mia" not in refused.text
    assert await followup(pool, followup_id) == ("open", 0)


async def test_the_buttons_of_a_phone_signed_out_change_nothing(new_phone, push, app, pool):
    dana, _, actions, followup_id = await dana_pushed(new_phone, push, app, pool)
    signed_out = await dana.post(dana.url("sign_out"), {})
    assert signed_out.status_code == 200
    await assert_refused_for_the_device(new_phone, pool, actions, followup_id)


async def test_the_buttons_of_a_device_removed_in_settings_change_nothing(
    new_phone, push, app, pool
):
    dana, _, actions, followup_id = await dana_pushed(new_phone, push, app, pool)
    device_id = await pool.fetchval("SELECT id FROM push_subscriptions")
    removed = await dana.post(dana.url("push_remove_device", subscription_id=device_id), {})
    assert removed.status_code == 303
    await assert_refused_for_the_device(new_phone, pool, actions, followup_id)


async def test_the_buttons_work_while_the_device_is_subscribed(new_phone, push, app, pool):
    _, _, actions, followup_id = await dana_pushed(new_phone, push, app, pool)
    assert (await (await new_phone()).client.post(actions["done"])).status_code == 204
    assert await followup(pool, followup_id) == ("done", 0)


async def test_a_link_stripped_of_its_device_or_moved_to_another_is_refused(
    new_phone, push, app, pool
):
    dana, mia, actions, followup_id = await dana_pushed(new_phone, push, app, pool)
    await subscribe(dana, push, device="Dana's tablet")
    await subscribe(mia, push, device="Mia's phone")
    phone_id, tablet_id, mias_id = [
        row["id"] for row in await pool.fetch("SELECT id FROM push_subscriptions ORDER BY id")
    ]
    path, _, raw_query = actions["done"].partition("?")
    query = {name: values[0] for name, values in parse_qs(raw_query).items()}
    assert query["device"] == str(phone_id)
    stranger = await new_phone()

    # Without its device (as the buttons pushed before they named one): expired, cleanly.
    stripped = {k: v for k, v in query.items() if k not in ("device", "dsig")}
    legacy = await stranger.client.post(f"{path}?{urlencode(stripped)}")
    assert legacy.status_code == 410
    assert "buttons have expired" in text_of(legacy)

    # Another device of hers, or a device id edited or half gone: not a link we made.
    for edit in (
        {"device": str(tablet_id)},
        {"device": "-1"},
        {"device": "9" * 40},
        {"dsig": ""},
    ):
        response = await stranger.client.post(f"{path}?{urlencode({**query, **edit})}")
        assert response.status_code == 403, edit
        assert "not valid" in text_of(response)
    no_signature = {k: v for k, v in query.items() if k != "dsig"}
    assert (await stranger.client.post(f"{path}?{urlencode(no_signature)}")).status_code == 403

    # Signed for a device that is another account's (Mia's phone): refused as signed out.
    from server.followups.notifications import device_signature  # here: tests above run without it

    now = datetime.now(UTC)
    signed = push_actions.signed_query(TEST_SECRET, followup_id, 1, "done", 0, now)
    mias = device_signature(TEST_SECRET, followup_id, 1, "done", 0, mias_id)
    elsewhere = await stranger.client.post(f"{path}?{signed}&device={mias_id}&dsig={mias}")
    assert elsewhere.status_code == 410
    assert "signed out or removed" in text_of(elsewhere)
    assert await followup(pool, followup_id) == ("open", 0)
