"""The reminder worker against the local push service: every reminder once, whatever happens."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import random
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from server.db.pool import create_pool
from server.followups.worker import BACKOFF_CAP, TTL, Worker, backoff
from tests.conftest import PROJECT_ROOT
from tests.db_proxy import DatabaseProxy
from tests.followups.test_flood import awake
from tests.followups.test_push_notes_on_lock_screen import show_notes_on_lock_screen
from tests.reminders import make_due, running_worker, sharers_with_phones, subscribe, swapped
from tests.waiting import eventually, until_waiting_for_lock


async def deliveries(pool) -> list[tuple[str, int]]:
    return [
        tuple(r) for r in await pool.fetch("SELECT status, attempts FROM deliveries ORDER BY id")
    ]


async def test_due_follow_up_is_pushed_encrypted_to_every_device_once(new_phone, pool, push, app):
    dana, mia = await swapped(new_phone)
    contact_id = await pool.fetchval("SELECT id FROM contacts WHERE owner_id = 1")
    await dana.post(
        dana.url("contact_give_get", contact_id=contact_id),
        {"promised": "an intro to two fashion recruiters", "they_asked": ""},
    )
    phone, laptop = await subscribe(dana, push), await subscribe(dana, push, "Laptop")
    await awake(pool)  # midday: "You met today" holds till it goes (23:59 UTC would not)
    await make_due(pool)
    async with running_worker(app, push) as worker:
        assert await worker.run_once() == 2
        assert await worker.run_once() == 0  # nothing twice
    for device in (phone, laptop):
        [message] = push.received_for(device)
        payload = message.json()
        assert payload["title"] == "Follow up with Mia Chen"
        # Her notes stay off the lock screen unless she chose otherwise
        # (tests/followups/test_push_notes_on_lock_screen.py).
        assert payload["body"] == "You met today. What you promised is in Reachout."
        # With the marks of the card it was pushed to (tests/followups/
        # test_push_links_for_another_card.py).
        assert payload["url"].startswith(
            f"{dana.url('contact', contact_id=contact_id)}?from=push&for="
        )
        assert payload["tag"] == message.topic == f"contact-{contact_id}"
        assert message.ttl == 86400 and message.urgency == "normal"
        assert message.claims["aud"] == push.origin  # with the port
        assert message.claims["sub"].startswith("mailto:")
    assert await deliveries(pool) == [("sent", 1), ("sent", 1)]
    # Mia has no device: her follow-up is due and listed, nothing is sent for her.
    page = await mia.get(mia.url("followups"))
    assert "Dana Lee" in page.text and "Reach out now" in page.text


async def test_vapid_jwt_is_signed_once_per_push_origin(new_phone, pool, push, app):
    dana, _ = await swapped(new_phone)
    first, second = await subscribe(dana, push), await subscribe(dana, push)
    await make_due(pool)
    async with running_worker(app, push) as worker:
        await worker.run_once()
    tokens = {m.claims["exp"] for m in push.received_for(first) + push.received_for(second)}
    assert len(tokens) == 1


async def test_gone_subscription_is_forgotten(new_phone, pool, push, app):
    dana, _ = await swapped(new_phone)
    device = await subscribe(dana, push)
    push.unsubscribe(device)
    await make_due(pool)
    async with running_worker(app, push) as worker:
        await worker.run_once()
    assert await pool.fetchval("SELECT count(*) FROM push_subscriptions") == 0
    assert await pool.fetchval("SELECT status FROM deliveries") == "gone"


async def test_429_with_retry_after_is_delivered_later_not_before(new_phone, pool, push, app):
    dana, _ = await swapped(new_phone)
    await awake(pool)  # a retry in her night would wait for 09:00
    device = await subscribe(dana, push)
    # A minute, not a second: however slow the machine, the next pass comes before it is up.
    push.script(device, [(429, {"Retry-After": "60"})])
    await make_due(pool)
    async with running_worker(app, push, backoff_base=0.01) as worker:
        await worker.run_once()
        assert push.received_for(device) == []
        assert await worker.run_once() == 0, "not retried before Retry-After"
        wait = await pool.fetchval(
            "SELECT extract(epoch FROM next_attempt_at - now())::float FROM deliveries"
        )
        assert 30 < wait <= 60
        # The minute passes.
        await pool.execute("UPDATE deliveries SET next_attempt_at = now()")
        assert await worker.run_once() == 1
    assert len(push.received_for(device)) == 1
    assert await deliveries(pool) == [("sent", 2)]


async def test_server_error_then_success_is_delivered_once(new_phone, pool, push, app):
    dana, _ = await swapped(new_phone)
    await awake(pool)  # a retry in her night would wait for 09:00
    device = await subscribe(dana, push)
    push.script(device, [500, 503])
    await make_due(pool)
    async with running_worker(app, push, backoff_base=0.01) as worker:
        for _ in range(30):
            await worker.run_once()
            if push.received_for(device):
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.05)
        await worker.run_once()
    assert len(push.received_for(device)) == 1
    assert await deliveries(pool) == [("sent", 3)]


async def test_too_large_is_failed_not_retried_and_shown(new_phone, pool, push, app):
    dana, _ = await swapped(new_phone)
    device = await subscribe(dana, push)
    push.script(device, [413])
    await make_due(pool)
    async with running_worker(app, push, backoff_base=0.01) as worker:
        await worker.run_once()
        await asyncio.sleep(0.05)
        await worker.run_once()
    assert await deliveries(pool) == [("failed", 1)]
    page = await dana.get(dana.url("followups"))
    assert "could not be delivered" in page.text


async def test_bounded_attempts_end_in_failed(new_phone, pool, push, app):
    dana, _ = await swapped(new_phone)
    await awake(pool)  # a retry in her night would wait for 09:00
    device = await subscribe(dana, push)
    push.script(device, [500] * 3)
    await make_due(pool)
    async with running_worker(app, push, backoff_base=0.001, max_attempts=3) as worker:
        for _ in range(20):
            await worker.run_once()
            await asyncio.sleep(0.01)
    assert await deliveries(pool) == [("failed", 3)]
    assert push.received_for(device) == []


def test_a_push_service_down_for_hours_loses_no_reminder():
    """With the worker's defaults and every wait at its shortest (the jitter's low end), a
    reminder is retried for hours before it is failed: a push service down for a few minutes,
    or an hour or two, still delivers it (the message lives a day: TTL)."""

    class Shortest(random.Random):
        def uniform(self, a: float, b: float) -> float:
            return a

    defaults = {f.name: f.default for f in dataclasses.fields(Worker)}
    base, attempts = defaults["backoff_base"], defaults["max_attempts"]
    window = sum(backoff(n, None, Shortest(), base) for n in range(1, attempts))
    assert window >= 4 * 3600
    assert window + BACKOFF_CAP <= TTL, "a retry still within the message's life"


async def test_done_before_sending_sends_nothing(new_phone, pool, push, app):
    dana, _ = await swapped(new_phone)
    device = await subscribe(dana, push)
    await make_due(pool)
    async with running_worker(app, push) as worker:
        await worker.enqueue_due()
        await pool.execute("UPDATE followups SET status = 'done'")
        await worker.run_once()
    assert push.received_for(device) == []
    assert await pool.fetchval("SELECT status FROM deliveries") == "skipped"


async def test_snooze_reminds_again_once(new_phone, pool, push, app):
    dana, _ = await swapped(new_phone)
    device = await subscribe(dana, push)
    await make_due(pool)
    async with running_worker(app, push) as worker:
        await worker.run_once()
        contact_id = await pool.fetchval("SELECT id FROM contacts WHERE owner_id = 1")
        await dana.post(
            dana.url("followup_change", contact_id=contact_id), {"action": "snooze", "days": "1"}
        )
        await worker.run_once()
        assert len(push.received_for(device)) == 1, "not before the snooze ends"
        await make_due(pool)
        await worker.run_once()
        await worker.run_once()
    assert len(push.received_for(device)) == 2


async def test_two_workers_at_once_deliver_each_reminder_once(new_phone, pool, push, app):
    devices = await sharers_with_phones(new_phone, push, 12)
    await pool.execute("DELETE FROM push_subscriptions WHERE device <> 'Test phone'")
    await make_due(pool)
    push.latency = 0.02
    async with running_worker(app, push, batch=5) as one, running_worker(app, push, batch=5) as two:
        for _ in range(10):
            await asyncio.gather(one.run_once(), two.run_once())
    for device in devices:
        assert len(push.received_for(device)) == 1
    assert await pool.fetchval("SELECT count(*) FROM deliveries WHERE status = 'sent'") == 12


async def backlog_in_order(new_phone, pool, push):
    """Two people with a phone each and a backlog of due reminders, queued in this order: the
    first person's, the second's, then the rest (their contacts', who have no device)."""
    first, second = await sharers_with_phones(new_phone, push, 2)
    await make_due(pool)
    owners = []
    # Minutes early, not hours: a reminder more than half an hour late waits for a waking
    # hour (tests/followups/test_late_reminder_at_night.py).
    for device, minutes in ((first, 20), (second, 10)):
        owner = await pool.fetchval(
            "SELECT account_id FROM push_subscriptions WHERE endpoint = $1", device.endpoint
        )
        await pool.execute(
            "UPDATE followups SET due_at = due_at - make_interval(mins => $2) WHERE owner_id = $1",
            owner,
            minutes,
        )
        owners.append(owner)
    return first, second, owners[1]


@asynccontextmanager
async def queueing_elsewhere(pool, owner_id: int) -> AsyncIterator[int]:
    """Another worker is queueing this person's reminders: it holds their lock until the end.
    Gives its server process."""
    async with pool.acquire() as other, other.transaction():
        await other.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended('reminders:' || $1::bigint, 0))",
            owner_id,
        )
        yield other.get_server_pid()


@asynccontextmanager
async def passing(worker, stop: asyncio.Event | None = None) -> AsyncIterator[asyncio.Task]:
    """``worker.run_once(stop)`` under way; cancelled if the block fails."""
    task = asyncio.create_task(worker.run_once(stop))
    try:
        yield task
    except BaseException:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        raise


async def test_reminders_go_out_while_the_rest_of_a_backlog_is_still_being_queued(
    new_phone, pool, push, app
):
    first, second, second_owner = await backlog_in_order(new_phone, pool, push)
    async with running_worker(app, push, enqueue_batch=1) as worker:
        async with queueing_elsewhere(pool, second_owner), passing(worker) as pass_:
            await push.wait_for(len(push.received) + 1)
            assert not pass_.done(), "still waiting to queue the second person's reminder"
            assert len(push.received_for(first)) == 1 and push.received_for(second) == []
        assert await asyncio.wait_for(pass_, 10) == 2
        assert await worker.run_once() == 0
    assert len(push.received_for(first)) == 1 and len(push.received_for(second)) == 1


async def test_a_stop_during_a_backlog_ends_the_pass_after_the_batch_under_way(
    new_phone, pool, push, app
):
    first, second, second_owner = await backlog_in_order(new_phone, pool, push)
    stop = asyncio.Event()
    async with running_worker(app, push, enqueue_batch=1) as worker:
        async with (
            queueing_elsewhere(pool, second_owner) as elsewhere,
            passing(worker, stop) as pass_,
        ):
            await push.wait_for(len(push.received) + 1)
            await until_waiting_for_lock(
                pool, "the second person's batch waiting for their lock", held_by=elsewhere
            )
            stop.set()  # SIGTERM, while the second person's batch waits for the lock
            await asyncio.sleep(0.2)
            assert not pass_.done(), "the batch under way is finished, not cut"
        assert await asyncio.wait_for(pass_, 10) == 1
        # That batch was committed; the rest of the backlog is left for the next pass.
        assert push.received_for(second) == []
        left = "SELECT count(*) FROM followups WHERE status = 'open' AND queued_round < round"
        assert await pool.fetchval(left) == 2
        assert await worker.run_once() == 1
        assert await pool.fetchval(left) == 0
    assert len(push.received_for(first)) == 1 and len(push.received_for(second)) == 1


def worker_process(settings_env: dict[str, str], lease: str = "2") -> list:
    env = {**os.environ, **settings_env, "WORKER_LEASE_SECONDS": lease, "LOG_LEVEL": "WARNING"}
    return [sys.executable, "-m", "server", "worker"], env


async def start_worker(env_for_worker: dict[str, str]):
    argv, env = worker_process(env_for_worker)
    return await asyncio.create_subprocess_exec(
        *argv,
        env=env,
        cwd=PROJECT_ROOT,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_killed_worker_and_restart_deliver_every_reminder_exactly_once(
    new_phone, pool, push, worker_env
):
    devices = await sharers_with_phones(new_phone, push, 6)
    await make_due(pool)
    push.hold()
    first = await start_worker(worker_env)
    await push.wait_for_held(6, timeout=20)  # mid-batch: all six are on the wire
    first.send_signal(signal.SIGKILL)
    await first.wait()
    push.release()
    second = await start_worker(worker_env)
    try:
        for device in devices:
            for _ in range(200):
                if push.received_for(device):
                    break
                await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # a duplicate would arrive now
    finally:
        second.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(second.wait(), 15) == 0
    assert [len(push.received_for(device)) for device in devices] == [1] * 6
    assert await pool.fetchval("SELECT count(*) FROM deliveries WHERE status = 'sent'") == 6


async def test_sigterm_finishes_what_is_in_flight_and_hands_back_the_rest(
    new_phone, pool, push, worker_env
):
    devices = await sharers_with_phones(new_phone, push, 3)
    await make_due(pool)
    push.hold()
    worker = await start_worker(worker_env)
    await push.wait_for_held(3, timeout=20)
    worker.send_signal(signal.SIGTERM)
    await asyncio.sleep(0.3)
    push.release()
    assert await asyncio.wait_for(worker.wait(), 15) == 0
    assert [len(push.received_for(device)) for device in devices] == [1] * 3
    assert await pool.fetchval("SELECT count(*) FROM deliveries WHERE status = 'sent'") == 3


async def test_notification_links_match_the_route_table(app):
    from server.followups import push_actions
    from server.followups.notifications import Paths, device_signature

    paths = Paths(app, "s" * 40)
    assert paths.contact(42) == app.url_path_for("contact", contact_id=42)
    assert paths.requests() == app.url_path_for("requests")
    assert paths.event_followups(7) == f"{app.url_path_for('followups')}?event=7"
    route = app.url_path_for("followup_from_notification", followup_id=5, action="done")
    now = datetime.now(UTC)
    query = push_actions.signed_query("s" * 40, 5, 9, "done", 2, now)
    device = device_signature("s" * 40, 5, 9, "done", 2, 3)
    assert paths.action(5, 9, "done", 2, now, subscription_id=3) == (
        f"{route}?{query}&device=3&dsig={device}"
    )


async def test_an_accepted_send_is_recorded_once_the_database_is_back(
    new_phone, pool, push, app, settings
):
    """The push service accepts while the database is unreachable: the worker keeps those
    sends, waits for the database without stopping, and records each once it is back."""
    devices = await sharers_with_phones(new_phone, push, 4)
    await make_due(pool)
    proxy = DatabaseProxy(settings.database_url)
    await proxy.start()
    worker_pool = await create_pool(proxy.url, max_size=2)
    stop = asyncio.Event()
    try:
        async with running_worker(app, push, poll_seconds=0.05, pool=worker_pool) as worker:
            push.hold()  # the sends wait at the push service...
            running = asyncio.create_task(worker.run(stop))
            await push.wait_for_held(len(devices))
            await proxy.cut()  # ...while the database becomes unreachable,
            push.release()  # and then the push service accepts them all.
            await push.wait_for(len(devices))
            # The worker tries to record them, and cannot.
            await eventually(
                lambda: asyncio.sleep(0, worker.outage.since is not None),
                "the worker finding the database gone",
            )
            assert not running.done(), "the worker stopped when the database went away"
            assert worker.unrecorded == len(devices)
            await proxy.restore()
            for _ in range(200):
                sent = "SELECT count(*) FROM deliveries WHERE status = 'sent'"
                if await pool.fetchval(sent) == len(devices):
                    break
                await asyncio.sleep(0.05)
            assert not running.done()
            stop.set()
            await running
    finally:
        stop.set()
        await worker_pool.close()
        await proxy.close()
    for device in devices:
        assert len(push.received_for(device)) == 1
    assert await deliveries(pool) == [("sent", 1)] * len(devices)


async def test_a_push_reminder_says_where_we_met(new_phone, pool, push, app):
    dana, _ = await swapped(new_phone)
    event = await pool.fetchval(
        """INSERT INTO events (organizer_id, name, join_code, starts_at, ends_at, time_zone)
           VALUES (1, 'Lunch & Learn', 'SVMMXT', now() - interval '2 hours',
                   now() - interval '1 hour', 'UTC') RETURNING id"""
    )
    await pool.execute("UPDATE contacts SET event_id = $1", event)
    device = await subscribe(dana, push)
    await awake(pool)  # midday: "You met today" holds till it goes (23:59 UTC would not)
    await make_due(pool)
    async with running_worker(app, push) as worker:
        assert await worker.run_once() == 1
    [message] = push.received_for(device)
    assert message.json()["body"] == "You met at Lunch & Learn, today."


async def test_long_notes_in_any_script_fit_one_push_and_never_stop_the_worker(
    new_phone, pool, push, app
):
    # Hebrew and emoji at every field's limit: escaped as ASCII they were twice what one push
    # message carries, and the worker stopped for everyone at that reminder, again and again.
    dana, _ = await swapped(new_phone, mia={"name": "מיה " * 20 + "🌷" * 20})
    contact_id = await pool.fetchval("SELECT id FROM contacts WHERE owner_id = 1")
    saved = await dana.post(
        dana.url("contact_give_get", contact_id=contact_id),
        {"promised": "שלום " * 100, "they_asked": "🎉" * 500},
    )
    assert saved.status_code in (200, 303), saved.text
    assert await pool.fetchval("SELECT length(they_asked) FROM contacts WHERE owner_id = 1") == 500
    await show_notes_on_lock_screen(dana)  # or the push would carry none of them
    phone = await subscribe(dana, push)
    await awake(pool)  # midday: "You met today" holds till it goes (23:59 UTC would not)
    # Someone else's reminder, in the same pass.
    sam, _ = await swapped(new_phone, dana={"name": "Sam Roe", "email": "sam@example.com"})
    sams = await subscribe(sam, push)
    await make_due(pool)
    async with running_worker(app, push) as worker:
        assert await worker.run_once() == 2
    [message] = push.received_for(phone)
    payload = message.json()  # the push service decrypted it: one record, at most 4,096 bytes
    assert payload["title"].startswith("Follow up with מיה")
    assert payload["body"].startswith("You met today. You promised: שלום")
    assert payload["body"].endswith("…")
    assert len(push.received_for(sams)) == 1
    assert await deliveries(pool) == [("sent", 1), ("sent", 1)]


async def test_a_reminder_that_cannot_be_encrypted_fails_alone(new_phone, pool, push, app):
    dana, _ = await swapped(new_phone)
    await subscribe(dana, push)
    # A device whose stored key is not a P-256 point (a row damaged, or a browser's bug).
    await pool.execute("UPDATE push_subscriptions SET p256dh = 'AAAA'")
    sam, _ = await swapped(new_phone, dana={"name": "Sam Roe", "email": "sam@example.com"})
    sams = await subscribe(sam, push)
    await make_due(pool)
    async with running_worker(app, push) as worker:
        await worker.run_once()
        assert await worker.run_once() == 0  # not met again
    assert len(push.received_for(sams)) == 1
    rows = await pool.fetch("SELECT status, last_error FROM deliveries ORDER BY id")
    assert [r["status"] for r in rows] == ["failed", "sent"]
    assert rows[0]["last_error"]
