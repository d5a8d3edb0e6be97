"""A browser unused for 400 days is signed out (its session has ended: sessions.account_for),
but retention deletes its session, and its push subscription with it, only later. In between
it got her reminders still, with Done / Snooze buttons that acted (review r78b): now it gets
none, while her phone in use gets hers."""

from __future__ import annotations

import asyncio

from tests.followups.test_flood import flooded_with_a_device
from tests.mailing import confirm_addresses
from tests.reminders import make_due, running_worker, subscribe, swapped
from tests.settings.test_left_details_device import signed_in_on_laptop

DANA = "dana@example.com"  # DEFAULT_CARD in tests/phone.py


async def test_a_browser_idle_past_a_sessions_life_gets_no_push(new_phone, pool, push, mail, app):
    dana, _ = await swapped(new_phone)  # the browser that made her card: her old laptop
    old_laptop = await subscribe(dana, push, "Old laptop")
    await confirm_addresses(pool, DANA)
    phone = await signed_in_on_laptop(new_phone, mail, app, DANA)  # her phone, by a code
    in_use = await subscribe(phone, push, "Phone")
    await make_due(pool)
    async with running_worker(app, push) as worker:
        # Queued for both while both were in use (one never in use is not queued for at all:
        # tests/followups/test_idle_device_gets_email.py); then, before it goes, the old
        # laptop counts as last opened 401 days ago; retention has not run yet.
        await worker.enqueue_due()
        ended = await pool.fetchval(
            "UPDATE sessions SET last_seen_at = now() - interval '401 days'"
            " WHERE id = (SELECT session_id FROM push_subscriptions WHERE device = 'Old laptop')"
            " RETURNING id"
        )
        assert ended is not None
        assert (await dana.get(dana.url("settings"))).status_code == 403  # signed out there
        await worker.run_once()
    assert push.received_for(old_laptop) == []
    [message] = push.received_for(in_use)
    assert message.json()["title"] == "Follow up with Mia Chen"
    statuses = await pool.fetch(
        "SELECT s.device, d.status FROM deliveries d"
        " JOIN push_subscriptions s ON s.id = d.subscription_id ORDER BY s.device"
    )
    assert [tuple(row) for row in statuses] == [("Old laptop", "skipped"), ("Phone", "sent")]


async def test_a_browser_used_within_a_sessions_life_still_gets_it(new_phone, pool, push, app):
    dana, _ = await swapped(new_phone)
    laptop = await subscribe(dana, push, "Laptop")
    await pool.execute("UPDATE sessions SET last_seen_at = now() - interval '399 days'")
    await make_due(pool)
    async with running_worker(app, push) as worker:
        await worker.run_once()
    assert len(push.received_for(laptop)) == 1


async def test_its_summary_is_skipped_once_not_queued_again(new_phone, pool, push, app):
    """Past the day's first few, a summary: skipped for that browser, and not queued for it
    again and again (as a device removed would have it pushed to her others instead)."""
    _, device = await flooded_with_a_device(new_phone, app, pool, push)
    async with running_worker(app, push) as worker:
        await worker.enqueue_due()  # while the browser was in use
        await pool.execute("UPDATE sessions SET last_seen_at = now() - interval '401 days'")
        await asyncio.wait_for(worker.run_once(), timeout=60)
    assert push.received_for(device) == []
    statuses = await pool.fetch("SELECT DISTINCT status FROM deliveries")
    assert [row["status"] for row in statuses] == ["skipped"]
