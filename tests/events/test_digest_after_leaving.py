"""The digest ("Who did you miss at …? The list of people stays open …") waits for the
morning after the event. Someone who leaves the event, or whom the organizer removes, in the
meantime gets none: its link would open a list closed to them. The others still get theirs."""

from __future__ import annotations

import pytest

from tests.events.test_routes import attendee, organizer_with_event
from tests.mailing import confirm_addresses, running_mail_worker
from tests.reminders import event_ended, running_worker, subscribe


@pytest.mark.parametrize("gone_by", ["leaving", "removal"])
async def test_no_digest_after_leaving_or_being_removed(new_phone, pool, push, mail, app, gone_by):
    olga, event_id = await organizer_with_event(new_phone)
    ana = await attendee(new_phone, pool, event_id, "Ana Silva")
    tom = await attendee(new_phone, pool, event_id, "Tom Rowdy")
    ana_phone, tom_phone = await subscribe(ana, push), await subscribe(tom, push)
    # Tom's by email too: neither way reaches him.
    await pool.execute("UPDATE accounts SET reminders_by = 'both'")
    await confirm_addresses(pool, "tom@example.com")
    await pool.execute("UPDATE cards SET email = 'tom@example.com' WHERE name = 'Tom Rowdy'")
    await event_ended(pool)
    async with running_worker(app, push, digest_delay_seconds=0) as worker:
        await worker.enqueue_digests()
        waiting = "SELECT count(*) FROM emails WHERE kind = 'digest' AND status = 'queued'"
        assert await pool.fetchval(waiting) == 1  # Tom's by email, beside his push
        tom_id = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Tom Rowdy'")
        if gone_by == "leaving":
            left = await tom.post(tom.url("event_leave", event_id=event_id))
        else:
            left = await olga.post(
                olga.url("event_remove_attendee", event_id=event_id, account_id=tom_id)
            )
        assert left.status_code == 303
        await worker.run_once()
    async with running_mail_worker(app, mail) as mailer:
        await mailer.run_once()
    assert push.received_for(tom_phone) == []
    assert mail.received_for("tom@example.com") == []
    [digest] = push.received_for(ana_phone)
    assert "Who did you miss" in digest.json()["title"]
