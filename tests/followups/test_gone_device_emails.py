"""A device the push service says is gone (410 at send time) is forgotten as if removed in
Settings: on "Automatic", with no device left, the reminder comes by email, once; with
another device left, or reminders "By push", no email."""

from __future__ import annotations

from typing import Any

import pytest

from tests.mailing import confirm_addresses, running_mail_worker
from tests.phone import Phone
from tests.reminders import make_due, running_worker, subscribe, swapped

DANA = "dana@example.com"  # DEFAULT_CARD in tests/phone.py


async def _choose(dana: Phone, reminders_by: str) -> None:
    saved = await dana.post(
        dana.url("settings_save"),
        {"time_zone": "UTC", "followup_timing": "next_morning", "reminders_by": reminders_by},
    )
    assert saved.status_code == 303, saved.text


async def _emails_sent(app: Any, mail: Any) -> list[str]:
    """Run the mail worker twice (nothing goes twice); the subjects Dana received."""
    async with running_mail_worker(app, mail) as mailer:
        await mailer.run_once()
        await mailer.run_once()
    return [m.subject for m in mail.received_for(DANA)]


@pytest.mark.parametrize("reminders_by", ["", "both"])
async def test_last_device_gone_the_reminder_comes_by_email_once(
    new_phone, pool, push, mail, app, reminders_by: str
):
    """Her only phone dropped its subscription: the push service answers 410 when her
    reminder goes. It comes by email instead, once ("Both" had its email already)."""
    dana, _ = await swapped(new_phone)
    await _choose(dana, reminders_by)
    device = await subscribe(dana, push)
    await confirm_addresses(pool, DANA)
    push.unsubscribe(device)
    await make_due(pool)
    async with running_worker(app, push) as worker:
        await worker.run_once()
        await worker.run_once()
    assert await pool.fetchval("SELECT count(*) FROM push_subscriptions") == 0
    assert await pool.fetchval("SELECT status FROM deliveries") == "gone"
    assert await pool.fetchval("SELECT last_status FROM deliveries") == 410
    assert await _emails_sent(app, mail) == ["Follow up with Mia Chen"]


async def test_another_device_left_gets_the_push_and_no_email_goes(
    new_phone, pool, push, mail, app
):
    """Two phones, one gone: the other gets the reminder; no email (Automatic is push while
    a device is left)."""
    dana, _ = await swapped(new_phone)
    gone = await subscribe(dana, push, "Old phone")
    kept = await subscribe(dana, push, "New phone")
    await confirm_addresses(pool, DANA)
    push.unsubscribe(gone)
    await make_due(pool)
    async with running_worker(app, push) as worker:
        await worker.run_once()
    assert await pool.fetchval("SELECT count(*) FROM push_subscriptions") == 1
    assert len(push.received_for(kept)) == 1
    assert await _emails_sent(app, mail) == []


async def test_by_push_only_no_email_goes(new_phone, pool, push, mail, app):
    """Reminders "By push": her last phone gone, nothing is emailed (she chose push)."""
    dana, _ = await swapped(new_phone)
    await _choose(dana, "push")
    device = await subscribe(dana, push)
    await confirm_addresses(pool, DANA)
    push.unsubscribe(device)
    await make_due(pool)
    async with running_worker(app, push) as worker:
        await worker.run_once()
    assert await pool.fetchval("SELECT status FROM deliveries") == "gone"
    assert await _emails_sent(app, mail) == []


async def test_a_push_still_queued_for_the_gone_device_comes_by_email_too(
    new_phone, pool, push, mail, app
):
    """Two reminders queued for her only phone; the first finds it gone. The second, when
    its turn comes, is emailed too: each once."""
    dana, _ = await swapped(new_phone)
    noor = await new_phone()
    await noor.make_card(name="Noor Haddad", email="noor@example.com")
    assert (await noor.post((await dana.share_link()) + "/swap")).status_code == 303
    device = await subscribe(dana, push)
    await confirm_addresses(pool, DANA)
    push.unsubscribe(device)
    await make_due(pool)
    async with running_worker(app, push) as worker:
        await worker.enqueue_due()
        later = await pool.fetchval("SELECT max(id) FROM deliveries")
        await pool.execute(
            "UPDATE deliveries SET next_attempt_at = now() + interval '1 hour' WHERE id = $1",
            later,
        )
        await worker.run_once()
        assert (
            await pool.fetchval("SELECT subscription_id FROM deliveries WHERE id = $1", later)
            is None
        )
        await pool.execute("UPDATE deliveries SET next_attempt_at = now() WHERE id = $1", later)
        await worker.run_once()
    assert sorted(await _emails_sent(app, mail)) == [
        "Follow up with Mia Chen",
        "Follow up with Noor Haddad",
    ]
