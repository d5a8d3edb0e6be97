"""An email the mail server refused for now (4xx) is tried again soon, but a reminder is never
tried again in its reader's night: timed for her waking hours, its retry is too, as a push's
is (tests/followups/test_retry_at_night.py). A sign-in code is someone waiting: at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

import pytest

from server.followups.worker import Worker
from tests.mailing import confirm_addresses, leaves_details, running_mail_worker
from tests.reminders import zone_where_it_is

TRY_LATER = (451, "4.3.0 Try again later")


async def retry_of(pool, kind: str) -> datetime:
    status, at = await pool.fetchrow(
        "SELECT status, next_attempt_at FROM emails WHERE kind = $1", kind
    )
    assert status == "queued"
    return at


@pytest.mark.parametrize("day", [False, True])
async def test_a_reminder_email_refused_at_night_is_retried_in_the_morning(
    new_phone, pool, mail, app, day
):
    # Mia left her details on Dana's card and gets her reminders by email; it falls due, and
    # the relay refuses it for now. Where she lives it is night: tried again at 09:00, not
    # in a few seconds. In her day: in a few seconds.
    await leaves_details(new_phone)
    await confirm_addresses(pool, "mia@example.com")
    zone = zone_where_it_is(day=day)
    await pool.execute("UPDATE accounts SET time_zone = $1 WHERE id = 2", zone)
    await pool.execute("UPDATE emails SET status = 'sent'")  # "You met" went out long ago
    await pool.execute(
        "UPDATE followups SET status = CASE WHEN owner_id = 2 THEN 'open' ELSE 'done' END,"
        " due_at = now() - interval '1 minute'"
    )
    pushes = Worker(pool=pool, sql=app.state.sql, sender=None, paths=None)  # type: ignore[arg-type]
    await pushes.enqueue_due()
    mail.refuse(*TRY_LATER, times=1)
    start = datetime.now(UTC)
    async with running_mail_worker(app, mail) as worker:
        await worker.run_once()
    assert mail.received_for("mia@example.com") == []
    at = await retry_of(pool, "reminder")
    if day:
        assert at - start < timedelta(minutes=1)
    else:
        local = at.astimezone(ZoneInfo(zone))
        assert local.time() == clock(9)
        assert timedelta(0) < at - start < timedelta(hours=11)


async def test_a_code_refused_at_night_is_retried_at_once(new_phone, pool, mail, app):
    # Dana signs in on a new phone at 02:00 her time; the relay refuses the code for now:
    # she is waiting for it, so it is tried again in seconds.
    dana = await new_phone()
    await dana.make_card()
    await pool.execute(
        "UPDATE accounts SET time_zone = $1 WHERE id = 1", zone_where_it_is(day=False)
    )
    await confirm_addresses(pool, "dana@example.com")
    laptop = await new_phone()
    asked = await laptop.post(laptop.url("sign_in_ask"), {"email": "dana@example.com"})
    assert asked.status_code == 303, asked.text
    mail.refuse(*TRY_LATER, times=1)
    start = datetime.now(UTC)
    async with running_mail_worker(app, mail) as worker:
        await worker.run_once()
    assert await retry_of(pool, "code") - start < timedelta(minutes=1)
