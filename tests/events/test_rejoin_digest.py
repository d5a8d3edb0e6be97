"""Someone who leaves an event while its digest waits for the morning, and joins it again
before the digest goes, gets it after all (push and email), once. Not when its time went by
while they were away, nor an email skipped because its address was unsubscribed, nor anyone
removed (they cannot join again)."""

from __future__ import annotations

from typing import Any

import pytest

from server.web import signing
from tests.conftest import TEST_SECRET
from tests.events.test_routes import attendee, join_code, organizer_with_event
from tests.mailing import confirm_addresses, running_mail_worker
from tests.reminders import event_ended, running_worker, subscribe, zone_where_it_is

TOM = "tom@example.com"
DIGESTS = "SELECT status, attempts FROM {} WHERE {} = $1 ORDER BY id"


async def tom_waiting_for_his_digest(new_phone, pool, push, app) -> tuple[Any, ...]:
    """Olga's event ended in the evening of Tom's day: his digest (a push to his phone and an
    email, reminders by both) waits for 09:00 where he is. Returns Olga, the event, Tom, his
    phone's subscription and his account."""
    olga, event_id = await organizer_with_event(new_phone)
    tom = await attendee(new_phone, pool, event_id, "Tom Rowdy")
    tom_phone = await subscribe(tom, push)
    await confirm_addresses(pool, TOM)
    await event_ended(pool)
    tom_id = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Tom Rowdy'")
    await pool.execute(
        "UPDATE accounts SET reminders_by = 'both', time_zone = $2 WHERE id = $1",
        tom_id,
        zone_where_it_is(day=False),
    )
    async with running_worker(app, push, digest_delay_seconds=0) as worker:
        assert await worker.enqueue_digests() == 2  # Olga's and Tom's
    waiting = "SELECT count(*) FROM {} WHERE status = 'queued' AND next_attempt_at > now()"
    assert await pool.fetchval(waiting.format("deliveries")) == 1
    assert await pool.fetchval(waiting.format("emails")) == 1
    return olga, event_id, tom, tom_phone, tom_id


async def leave(tom, event_id: int) -> None:
    left = await tom.post(tom.url("event_leave", event_id=event_id))
    assert left.status_code == 303


async def join_again(tom, pool, event_id: int) -> int:
    code = await join_code(pool, event_id)
    answer = await tom.post(tom.url("join_event_submit", code=code), {"listed": "on"})
    return answer.status_code


async def morning_comes(app, pool, push, mail) -> None:
    """09:00 where Tom is: whatever waits for it goes."""
    await pool.execute("UPDATE deliveries SET next_attempt_at = now() WHERE status = 'queued'")
    await pool.execute("UPDATE emails SET next_attempt_at = now() WHERE status = 'queued'")
    async with running_worker(app, push) as worker:
        await worker.run_once()
    async with running_mail_worker(app, mail) as mailer:
        await mailer.run_once()


async def test_joining_again_before_the_digest_goes_brings_it_back_once(
    new_phone, pool, push, mail, app
):
    _, event_id, tom, tom_phone, tom_id = await tom_waiting_for_his_digest(
        new_phone, pool, push, app
    )
    # A try the push service refused earlier: it keeps its count when it comes back.
    await pool.execute("UPDATE deliveries SET attempts = 2 WHERE digest_account_id = $1", tom_id)
    # Out and back in twice, on the way home.
    for _ in range(2):
        await leave(tom, event_id)
        queued = "SELECT count(*) FROM emails WHERE kind = 'digest' AND status = 'queued'"
        assert await pool.fetchval(queued) == 0, "leaving skips the digest"
        assert await join_again(tom, pool, event_id) == 303
    pushes = await pool.fetch(DIGESTS.format("deliveries", "digest_account_id"), tom_id)
    assert [tuple(row) for row in pushes] == [("queued", 2)]
    emails = await pool.fetch(DIGESTS.format("emails", "account_id"), tom_id)
    assert [tuple(row) for row in emails] == [("queued", 0)]

    await morning_comes(app, pool, push, mail)
    [pushed] = push.received_for(tom_phone)
    assert "Who did you miss" in pushed.json()["title"]
    [mailed] = mail.received_for(TOM)
    assert "Who did you miss" in mailed.subject


async def test_a_digest_whose_time_went_by_meanwhile_stays_skipped(
    new_phone, pool, push, mail, app
):
    _, event_id, tom, tom_phone, _ = await tom_waiting_for_his_digest(new_phone, pool, push, app)
    await leave(tom, event_id)
    # He was away when 09:00 came: it would come late, after the others' (and the worker
    # skips a digest only once its time has come, so this is every skip it makes too).
    await pool.execute("UPDATE deliveries SET next_attempt_at = now() - interval '1 minute'")
    await pool.execute("UPDATE emails SET next_attempt_at = now() - interval '1 minute'")
    assert await join_again(tom, pool, event_id) == 303
    await morning_comes(app, pool, push, mail)
    assert push.received_for(tom_phone) == []
    assert mail.received_for(TOM) == []


async def test_an_email_skipped_by_unsubscribing_stays_skipped(new_phone, pool, push, mail, app):
    _, event_id, tom, tom_phone, tom_id = await tom_waiting_for_his_digest(
        new_phone, pool, push, app
    )
    signature = signing.sign(TEST_SECRET, "mail-unsubscribe", TOM)
    unsubscribed = await tom.post(tom.url("mail_unsubscribe") + f"?to={TOM}&sig={signature}", {})
    assert "You are unsubscribed" in unsubscribed.text
    await leave(tom, event_id)
    assert await join_again(tom, pool, event_id) == 303
    emails = await pool.fetch(DIGESTS.format("emails", "account_id"), tom_id)
    assert [row["status"] for row in emails] == ["skipped"]
    await morning_comes(app, pool, push, mail)
    [pushed] = push.received_for(tom_phone)  # the push leaving skipped is his again
    assert "Who did you miss" in pushed.json()["title"]
    assert mail.received_for(TOM) == []


@pytest.mark.parametrize("left_first", [False, True])
async def test_someone_removed_cannot_join_again_for_it(
    new_phone, pool, push, mail, app, left_first
):
    olga, event_id, tom, tom_phone, tom_id = await tom_waiting_for_his_digest(
        new_phone, pool, push, app
    )
    if left_first:
        await leave(tom, event_id)
    removed = await olga.post(
        olga.url("event_remove_attendee", event_id=event_id, account_id=tom_id)
    )
    assert removed.status_code == 303
    assert await join_again(tom, pool, event_id) == 403
    await morning_comes(app, pool, push, mail)
    assert push.received_for(tom_phone) == []
    assert mail.received_for(TOM) == []
