"""A reminder or digest queued for her old phone, which is gone when it goes (the push service
answers 410, or she removed it in Settings), reaches the phone she added since: that phone
had no delivery of its own, and on "Automatic" a device left means no email (review r36)."""

from __future__ import annotations

import pytest

from tests.followups.test_reminder_channels import (
    EVENT,
    _ana_met_ben_at_night,
    _digests_to_ana,
    _morning,
)
from tests.mailing import confirm_addresses, running_mail_worker
from tests.reminders import make_due, running_worker, subscribe, swapped

DANA = "dana@example.com"  # DEFAULT_CARD in tests/phone.py


@pytest.mark.parametrize("reminders_by", ["", "push"])
async def test_reminder_waiting_for_a_retry_reaches_the_new_phone(
    new_phone, pool, push, mail, app, reminders_by: str
):
    """Her reminder waits for a retry to her old phone; she installs on a new phone and
    turns reminders on; the old phone answers 410 at the retry. The new phone gets it, once,
    and no email goes (a device is left)."""
    dana, _ = await swapped(new_phone)
    saved = await dana.post(
        dana.url("settings_save"),
        {"time_zone": "UTC", "followup_timing": "next_morning", "reminders_by": reminders_by},
    )
    assert saved.status_code == 303
    old = await subscribe(dana, push, "Old phone")
    await confirm_addresses(pool, DANA)
    await make_due(pool)
    async with running_worker(app, push) as worker:
        await worker.enqueue_due()
        await pool.execute("UPDATE deliveries SET next_attempt_at = now() + interval '1 hour'")
        new = await subscribe(dana, push, "New phone")
        push.unsubscribe(old)
        await pool.execute("UPDATE deliveries SET next_attempt_at = now()")
        await worker.run_once()
        await worker.run_once()
        await worker.run_once()
    assert await pool.fetchval("SELECT count(*) FROM push_subscriptions") == 1
    assert [n.json()["title"] for n in push.received_for(new)] == ["Follow up with Mia Chen"]
    async with running_mail_worker(app, mail) as mailer:
        await mailer.run_once()
    assert mail.received_for(DANA) == []


async def test_digest_for_the_morning_reaches_the_phone_added_overnight(
    new_phone, pool, push, mail, app
):
    """Automatic: her digest waits for the morning for her old phone; that night she adds a
    new phone and removes the old one in Settings. In the morning the new phone gets it,
    once; no email (a device is left)."""
    ana, _ = await _ana_met_ben_at_night(new_phone, pool)
    old = await subscribe(ana, push, "Old phone")
    old_id = await pool.fetchval("SELECT id FROM push_subscriptions")
    async with running_worker(app, push, digest_delay_seconds=0) as worker:
        await worker.run_once()
        assert await pool.fetchval("SELECT count(*) FROM deliveries") == 1
        new = await subscribe(ana, push, "New phone")
        removed = await ana.post(ana.url("push_remove_device", subscription_id=old_id))
        assert removed.status_code == 303
        await _morning(app, pool, push, mail, worker)
        await worker.run_once()
    assert push.received_for(old) == []
    assert [n.json()["title"] for n in push.received_for(new)] == ["You met 1 person at " + EVENT]
    assert _digests_to_ana(mail) == []
