"""How reminders come is decided when each goes, not when it was queued: a digest held for
the morning (or a reminder waiting for a retry) goes the way Settings say at that moment,
once, or not at all with "Neither"."""

from __future__ import annotations

from typing import Any

import pytest

from tests.events.test_routes import attendee, organizer_with_event
from tests.mailing import confirm_addresses, running_mail_worker
from tests.phone import Phone
from tests.reminders import event_ended, running_worker, subscribe, zone_where_it_is

ANA = "ana@example.com"
EVENT = "Lunch & Learn"  # event_form() in tests/events/test_routes.py


async def _ana_met_ben_at_night(new_phone: Any, pool: Any) -> tuple[Phone, str]:
    """Ana swapped with Ben at an event that just ended; her address is confirmed, and it is
    the middle of the night where she lives: her digest waits for 09:00."""
    _, event_id = await organizer_with_event(new_phone)
    ana = await attendee(new_phone, pool, event_id, "Ana Silva")
    ben = await attendee(new_phone, pool, event_id, "Ben Ode")
    await ben.post((await ana.share_link()) + "/swap")
    await confirm_addresses(pool, ANA)
    await event_ended(pool)
    night = zone_where_it_is(day=False)
    await pool.execute(
        "UPDATE accounts SET time_zone = $1"
        " WHERE id = (SELECT account_id FROM cards WHERE name = 'Ana Silva')",
        night,
    )
    return ana, night


async def _choose(ana: Phone, night: str, reminders_by: str) -> None:
    saved = await ana.post(
        ana.url("settings_save"),
        {"time_zone": night, "followup_timing": "next_morning", "reminders_by": reminders_by},
    )
    assert saved.status_code == 303


async def _morning(app: Any, pool: Any, push: Any, mail: Any, worker: Any) -> None:
    """09:00 her time: both workers run, the push worker again after the mail worker (in
    production both run all the time)."""
    await pool.execute("UPDATE deliveries SET next_attempt_at = now() WHERE status = 'queued'")
    await pool.execute("UPDATE emails SET next_attempt_at = now() WHERE status = 'queued'")
    await worker.run_once()
    async with running_mail_worker(app, mail) as mailer:
        await mailer.run_once()
    await worker.run_once()


def _digests_to_ana(mail: Any) -> list[str]:
    return [m.subject for m in mail.received_for(ANA)]


@pytest.mark.parametrize(("now_by", "emails"), [("neither", 0), ("email", 1)])
async def test_digest_queued_by_push_goes_as_she_chose_that_night(
    new_phone, pool, push, mail, app, now_by: str, emails: int
):
    """Reminders by push; her digest waits for the morning; that night she picks "Neither"
    (nothing comes at all) or "By email" (the digest comes by email, once, not to her
    phone)."""
    ana, night = await _ana_met_ben_at_night(new_phone, pool)
    device = await subscribe(ana, push)
    await _choose(ana, night, "push")
    async with running_worker(app, push, digest_delay_seconds=0) as worker:
        await worker.run_once()  # queued for 09:00 her time
        assert push.received_for(device) == []
        await _choose(ana, night, now_by)
        await _morning(app, pool, push, mail, worker)
    assert push.received_for(device) == []
    assert _digests_to_ana(mail) == ["You met 1 person at " + EVENT] * emails


async def test_digest_queued_by_email_comes_by_push_after_choosing_push(
    new_phone, pool, push, mail, app
):
    """Reminders by email; her digest waits for the morning; that night she picks "By push":
    it comes to her phone, once, and not by email."""
    ana, night = await _ana_met_ben_at_night(new_phone, pool)
    device = await subscribe(ana, push)
    await _choose(ana, night, "email")
    async with running_worker(app, push, digest_delay_seconds=0) as worker:
        await worker.run_once()
        assert (
            await pool.fetchval(
                "SELECT count(*) FROM emails WHERE kind = 'digest' AND to_address = $1", ANA
            )
            == 1
        )
        await _choose(ana, night, "push")
        await _morning(app, pool, push, mail, worker)
    assert len(push.received_for(device)) == 1
    assert _digests_to_ana(mail) == []


async def test_digest_comes_by_push_after_turning_on_notifications_overnight(
    new_phone, pool, push, mail, app
):
    """Automatic, no phone subscribed: her digest waits for the morning by email. That night
    she turns on notifications: it comes to her phone, once, and not by email."""
    ana, _ = await _ana_met_ben_at_night(new_phone, pool)
    async with running_worker(app, push, digest_delay_seconds=0) as worker:
        await worker.run_once()
        assert (
            await pool.fetchval(
                "SELECT count(*) FROM emails WHERE kind = 'digest' AND to_address = $1", ANA
            )
            == 1
        )
        device = await subscribe(ana, push)
        await _morning(app, pool, push, mail, worker)
    assert len(push.received_for(device)) == 1
    assert _digests_to_ana(mail) == []


async def test_digest_comes_by_email_after_turning_off_notifications_overnight(
    new_phone, pool, push, mail, app
):
    """Automatic, her phone subscribed: her digest waits for the morning by push. That night
    she turns notifications off on it (no device left): it comes by email, once."""
    ana, _ = await _ana_met_ben_at_night(new_phone, pool)
    device = await subscribe(ana, push)
    async with running_worker(app, push, digest_delay_seconds=0) as worker:
        await worker.run_once()
        assert await pool.fetchval("SELECT count(*) FROM emails WHERE kind = 'digest'") == 0
        turned_off = await ana.client.post(
            ana.url("push_unsubscribe"),
            json={"endpoint": device.endpoint},
            headers={"sec-fetch-site": "same-origin"},
        )
        assert turned_off.status_code == 204
        await _morning(app, pool, push, mail, worker)
    assert push.received_for(device) == []
    assert _digests_to_ana(mail) == ["You met 1 person at " + EVENT]


async def test_a_reminder_retried_by_push_comes_by_email_after_choosing_email(
    new_phone, pool, push, mail, app
):
    """A reminder to her phone waits for a retry (the push service was down); meanwhile she
    picks "By email": it comes by email, once, and the phone gets nothing later."""
    from tests.reminders import make_due, swapped

    dana, _ = await swapped(new_phone)
    device = await subscribe(dana, push)
    await confirm_addresses(pool, "dana@example.com")
    push.script(device, [503])
    await make_due(pool)
    async with running_worker(app, push) as worker:
        await worker.run_once()
        assert await pool.fetchval("SELECT status FROM deliveries") == "queued"
        saved = await dana.post(
            dana.url("settings_save"),
            {"time_zone": "UTC", "followup_timing": "next_morning", "reminders_by": "email"},
        )
        assert saved.status_code == 303
        await pool.execute("UPDATE deliveries SET next_attempt_at = now() WHERE status = 'queued'")
        await worker.run_once()
        async with running_mail_worker(app, mail) as mailer:
            await mailer.run_once()
    assert push.received_for(device) == []
    assert [m.subject for m in mail.received_for("dana@example.com")] == ["Follow up with Mia Chen"]
