"""The digest ("Who did you miss at …?") goes after the event's real end, once. An end typed
too early, then put right by the organizer, takes back the digests it queued (none reaches
anyone while the event still runs) and each goes after the new end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.events.test_routes import attendee, event_form, organizer_with_event
from tests.mailing import confirm_addresses, running_mail_worker
from tests.reminders import event_ended, running_worker, subscribe

ANA = "ana@example.com"


def later(hours: int) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")


async def test_an_end_put_right_moves_the_digest_after_it(new_phone, pool, push, mail, app):
    olga, event_id = await organizer_with_event(new_phone)
    ana = await attendee(new_phone, pool, event_id, "Ana Silva")
    ana_phone = await subscribe(ana, push)
    await pool.execute("UPDATE accounts SET reminders_by = 'both'")
    await confirm_addresses(pool, ANA)
    # Olga typed an end an hour too early: by it, the event is over, and its digests queue.
    await event_ended(pool)
    async with running_worker(app, push, digest_delay_seconds=0) as worker:
        assert await worker.enqueue_digests() == 2  # Olga's and Ana's
    # She puts it right while the event runs: two hours still to go.
    saved = await olga.post(
        olga.url("event_update", event_id=event_id), event_form(ends_at=later(2))
    )
    assert saved.status_code == 303
    async with running_worker(app, push, digest_delay_seconds=0) as worker:
        assert await worker.enqueue_digests() == 0  # not over yet
        await worker.run_once()
    async with running_mail_worker(app, mail) as mailer:
        await mailer.run_once()
    assert push.received_for(ana_phone) == [], "no digest while the event still runs"
    assert mail.received_for(ANA) == []
    # The real end comes: her digest goes then, by push and by email, once.
    await event_ended(pool)
    async with running_worker(app, push, digest_delay_seconds=0) as worker:
        # Ana's (Olga has neither a device nor a confirmed address: nothing of hers waited).
        assert await worker.enqueue_digests() == 1
        await worker.run_once()
        assert await worker.enqueue_digests() == 0
        await worker.run_once()
    async with running_mail_worker(app, mail) as mailer:
        await mailer.run_once()
    [digest] = push.received_for(ana_phone)
    assert "Who did you miss" in digest.json()["title"]
    assert len(mail.received_for(ANA)) == 1


async def test_an_edit_keeping_the_end_leaves_the_digest_as_it_was(new_phone, pool, push, app):
    olga, event_id = await organizer_with_event(new_phone)
    ana = await attendee(new_phone, pool, event_id, "Ana Silva")
    ana_phone = await subscribe(ana, push)
    await event_ended(pool)
    async with running_worker(app, push, digest_delay_seconds=0) as worker:
        assert await worker.enqueue_digests() == 2
        ends_at = await pool.fetchval("SELECT ends_at FROM events")
        renamed = event_form(name="Mixer", ends_at=ends_at.strftime("%Y-%m-%dT%H:%M"))
        await pool.execute("UPDATE events SET ends_at = date_trunc('minute', ends_at)")
        saved = await olga.post(olga.url("event_update", event_id=event_id), renamed)
        assert saved.status_code == 303
        assert await worker.enqueue_digests() == 0
        await worker.run_once()
    [digest] = push.received_for(ana_phone)
    assert "Who did you miss at Mixer" in digest.json()["title"]


async def test_a_digest_that_went_is_not_sent_again_after_a_new_end(new_phone, pool, push, app):
    olga, event_id = await organizer_with_event(new_phone)
    ana = await attendee(new_phone, pool, event_id, "Ana Silva")
    ana_phone = await subscribe(ana, push)
    await event_ended(pool)
    async with running_worker(app, push, digest_delay_seconds=0) as worker:
        await worker.enqueue_digests()
        await worker.run_once()
        assert len(push.received_for(ana_phone)) == 1
        saved = await olga.post(
            olga.url("event_update", event_id=event_id), event_form(ends_at=later(2))
        )
        assert saved.status_code == 303
        await event_ended(pool)
        assert await worker.enqueue_digests() == 0
        await worker.run_once()
    assert len(push.received_for(ana_phone)) == 1, "one digest, never two"
