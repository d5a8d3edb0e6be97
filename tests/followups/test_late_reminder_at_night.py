"""Reminders the workers could not send when they fell due (every worker was away for the
evening: a deploy gone wrong, the database down) do not all buzz when the workers are back
at 23:30: one more than half an hour late waits for its person's 09:00, by push or email, as
a retry does (tests/followups/test_retry_at_night.py). In her day it goes at once, and one
on time goes at once whatever the hour (she may have snoozed it to then herself)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

import pytest

from server.followups.worker import Worker
from tests.followups.test_flood import flood, zone_where_it_is
from tests.mailing import confirm_addresses, leaves_details, running_mail_worker
from tests.reminders import running_worker, subscribe, swapped


def at_nine(at: datetime, zone: str) -> bool:
    """``at`` is her next 09:00, where she lives."""
    local = at.astimezone(ZoneInfo(zone))
    return local.time() == clock(9) and timedelta(0) < at - datetime.now(UTC) < timedelta(hours=11)


@pytest.mark.parametrize(
    ("hour", "late", "pushed_now"),
    [
        (23, timedelta(hours=3), False),
        (12, timedelta(hours=3), True),
        (23, timedelta(minutes=1), True),
    ],
    ids=["late-at-night", "late-by-day", "on-time-at-night"],
)
async def test_a_late_reminder_waits_for_her_morning(
    new_phone, pool, push, app, hour, late, pushed_now
):
    zone = zone_where_it_is(hour)
    dana, _ = await swapped(new_phone)
    await pool.execute("UPDATE accounts SET time_zone = $1 WHERE id = 1", zone)
    device = await subscribe(dana, push)
    await pool.execute(
        "UPDATE followups SET status = CASE WHEN owner_id = 1 THEN 'open' ELSE 'done' END,"
        " due_at = now() - $1::interval",
        late,
    )
    async with running_worker(app, push) as worker:
        await worker.run_once()
    if pushed_now:
        assert len(push.received_for(device)) == 1
        return
    assert push.received_for(device) == []
    status, at = await pool.fetchrow("SELECT status, next_attempt_at FROM deliveries")
    assert status == "queued" and at_nine(at, zone)


async def test_a_late_reminder_email_waits_for_her_morning(new_phone, pool, mail, app):
    # Mia gets her reminders by email; the workers were away for three hours of her evening.
    await leaves_details(new_phone)
    await confirm_addresses(pool, "mia@example.com")
    zone = zone_where_it_is(23)
    await pool.execute("UPDATE accounts SET time_zone = $1 WHERE id = 2", zone)
    await pool.execute("UPDATE emails SET status = 'sent'")  # "You met" went out long ago
    await pool.execute(
        "UPDATE followups SET status = CASE WHEN owner_id = 2 THEN 'open' ELSE 'done' END,"
        " due_at = now() - interval '3 hours'"
    )
    pushes = Worker(pool=pool, sql=app.state.sql, sender=None, paths=None)  # type: ignore[arg-type]
    assert await pushes.enqueue_due() == 1
    async with running_mail_worker(app, mail) as worker:
        await worker.run_once()
    assert mail.received_for("mia@example.com") == []
    status, at = await pool.fetchrow(
        "SELECT status, next_attempt_at FROM emails WHERE kind = 'reminder'"
    )
    assert status == "queued" and at_nine(at, zone)


async def test_reminders_held_for_the_morning_count_among_its_five(new_phone, app, pool, push):
    # Back at 01:00 her time, the workers hold 5 late reminders for her 09:00. At 09:00, 5
    # more fall due on time: those held were the day's five, so these come as one summary,
    # not as 5 more pushes one by one. (01:00, not 02:00: held at 02:59 turned 03:00, they
    # would wait less than the six hours asserted below.)
    dana = await new_phone()
    await dana.make_card()
    await pool.execute("UPDATE accounts SET time_zone = $1 WHERE id = 1", zone_where_it_is(1))
    device = await subscribe(dana, push)
    await flood(app, await dana.share_link(), count=10)
    await pool.execute("UPDATE followups SET status = 'done' WHERE owner_id <> 1")
    mine = await pool.fetch("SELECT id FROM followups WHERE owner_id = 1 ORDER BY id")
    ids = [row["id"] for row in mine]
    await pool.execute(
        "UPDATE followups SET due_at = CASE WHEN id = ANY($1::bigint[])"
        " THEN now() - interval '3 hours' ELSE now() + interval '30 days' END",
        ids[:5],
    )
    async with running_worker(app, push) as worker:
        assert await worker.enqueue_due() == 5
        wait = await pool.fetchval("SELECT max(next_attempt_at) - now() FROM deliveries")
        assert wait > timedelta(hours=6)
        # Her 09:00: every stamp moves back by the wait, and her clock says 09:00.
        await pool.execute(
            "UPDATE followups SET queued_at = queued_at - $1::interval,"
            " due_at = due_at - $1::interval",
            wait,
        )
        await pool.execute(
            "UPDATE deliveries SET next_attempt_at = next_attempt_at - $1::interval,"
            " created_at = created_at - $1::interval",
            wait,
        )
        await pool.execute("UPDATE accounts SET time_zone = $1 WHERE id = 1", zone_where_it_is(9))
        await pool.execute(
            "UPDATE followups SET due_at = now() - interval '1 minute'"
            " WHERE id = ANY($1::bigint[])",
            ids[5:],
        )
        assert await worker.enqueue_due() == 5
        await worker.run_once()
    titles = [message.json()["title"] for message in push.received_for(device)]
    assert len(titles) == 6, titles
    assert sum("Follow up with" in title for title in titles) == 5


async def test_a_reminder_held_for_her_morning_moves_with_her_zone(new_phone, pool, push, app):
    # Held at 23:00 for her 09:00, then she saves a zone where it is 13:00: it goes now,
    # not at the old zone's 09:00 (23:00 where she is now).
    dana, _ = await swapped(new_phone)
    await pool.execute("UPDATE accounts SET time_zone = $1 WHERE id = 1", zone_where_it_is(23))
    device = await subscribe(dana, push)
    await pool.execute(
        "UPDATE followups SET status = CASE WHEN owner_id = 1 THEN 'open' ELSE 'done' END,"
        " due_at = now() - interval '3 hours'"
    )
    async with running_worker(app, push) as worker:
        await worker.run_once()
        assert push.received_for(device) == []
        saved = await dana.post(
            dana.url("settings_save"),
            {"time_zone": zone_where_it_is(13), "followup_timing": "next_morning"},
        )
        assert saved.status_code == 303, saved.text
        await worker.run_once()
    assert len(push.received_for(device)) == 1
    held = await pool.fetchval("SELECT queued_at > now() FROM followups WHERE owner_id = 1")
    assert held is False, "counted among today's reminders where she is now"


async def test_a_reminder_email_held_for_her_morning_moves_with_her_zone(
    new_phone, pool, mail, app
):
    await leaves_details(new_phone)
    await confirm_addresses(pool, "mia@example.com")
    await pool.execute("UPDATE accounts SET time_zone = $1 WHERE id = 2", zone_where_it_is(23))
    await pool.execute("UPDATE emails SET status = 'sent'")
    await pool.execute(
        "UPDATE followups SET status = CASE WHEN owner_id = 2 THEN 'open' ELSE 'done' END,"
        " due_at = now() - interval '3 hours'"
    )
    pushes = Worker(pool=pool, sql=app.state.sql, sender=None, paths=None)  # type: ignore[arg-type]
    assert await pushes.enqueue_due() == 1
    # As Settings saves a new zone (settings_save runs this after taking her locks).
    await app.state.sql.run(
        pool,
        "accounts.set_preferences",
        account_id=2,
        time_zone=zone_where_it_is(13),
        followup_timing="next_morning",
        reminders_by=None,
        notes_on_lock_screen=False,
    )
    async with running_mail_worker(app, mail) as worker:
        await worker.run_once()
    assert len(mail.received_for("mia@example.com")) == 1
