"""A new time zone in Settings moves what waits in the outbox for her morning with her: an
event's digest, a reminder summary and a "You met" held for a waking hour come at the new
zone's, not at 09:00 where she lived before (the small hours where she is now). Other people's, and
those already tried, keep their time."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.events.test_routes import attendee, organizer_with_event
from tests.followups.test_flood import flood, zone_where_it_is
from tests.mailing import confirm_addresses, leaves_details, running_mail_worker
from tests.reminders import make_due, running_worker, subscribe
from tests.waiting import until_waiting_for_lock

# Her digest (deliveries: one per device; emails: one) and her summaries, with when they go.
DIGESTS = """
    SELECT 'push ' || s.device AS item, d.next_attempt_at AS goes
    FROM deliveries d JOIN push_subscriptions s ON s.id = d.subscription_id
    WHERE d.digest_account_id = $1
    UNION ALL
    SELECT 'email', next_attempt_at FROM emails WHERE kind = 'digest' AND account_id = $1
"""
SUMMARIES = """
    SELECT 'push' AS item, next_attempt_at AS goes FROM deliveries
    WHERE summary_account_id = $1 AND status = 'queued'
    UNION ALL
    SELECT 'email', next_attempt_at FROM emails
    WHERE kind = 'summary' AND account_id = $1 AND status = 'queued'
"""


async def timed(pool, query: str, account_id: int) -> dict[str, datetime]:
    return {row["item"]: row["goes"] for row in await pool.fetch(query, account_id)}


def at_nine_in(zone: str, goes: datetime, *, within: timedelta) -> bool:
    """``goes`` is 09:00 in ``zone``, still ahead and no further than ``within``."""
    local = goes.astimezone(ZoneInfo(zone))
    return (local.hour, local.minute) == (9, 0) and timedelta(0) < goes - datetime.now(UTC) < within


async def digests_held_for_the_morning(new_phone, pool, app, push):
    """Dana and Tom (both by push and by email) went to Olga's event, which just ended where
    they live at 03:00: their digests wait for 09:00 there. Dana has a phone and a laptop, and
    the push to the laptop was already tried (the push service said 503): it waits to be
    tried again. Returns Dana, her phone as the push service knows it, and both account ids."""
    _, event_id = await organizer_with_event(new_phone)
    dana = await attendee(new_phone, pool, event_id, "Dana Lee")
    tom = await attendee(new_phone, pool, event_id, "Tom Rowdy")
    dana_phone = await subscribe(dana, push, "Phone")
    await subscribe(dana, push, "Laptop")
    await subscribe(tom, push, "Phone")
    await pool.execute("UPDATE accounts SET reminders_by = 'both'")
    await confirm_addresses(pool, "dana@example.com", "tom@example.com")
    await pool.execute(
        "UPDATE events SET starts_at = now() - interval '3 hours',"
        " ends_at = now() - interval '1 minute'"
    )
    # Everyone there joined while it was on (someone joining after the end gets no digest).
    await pool.execute("UPDATE event_attendees SET joined_at = now() - interval '2 hours'")
    await pool.execute("UPDATE accounts SET time_zone = $1", zone_where_it_is(3))
    async with running_worker(app, push, digest_delay_seconds=0) as worker:
        await worker.enqueue_digests()
    await pool.execute(
        "UPDATE deliveries SET attempts = 1, last_status = 503,"
        " next_attempt_at = now() + interval '2 hours'"
        " WHERE subscription_id = (SELECT id FROM push_subscriptions WHERE device = 'Laptop')"
    )
    dana_id = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Dana Lee'")
    tom_id = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Tom Rowdy'")
    return dana, dana_phone, dana_id, tom_id


async def moves_to(phone, zone: str, reminders_by: str = "both") -> None:
    saved = await phone.post(
        phone.url("settings_save"),
        {"time_zone": zone, "followup_timing": "next_morning", "reminders_by": reminders_by},
    )
    assert saved.status_code == 303, saved.text


async def test_a_digest_waiting_for_her_morning_waits_for_it_where_she_lives_now(
    new_phone, pool, app, push, mail
):
    dana, _, dana_id, tom_id = await digests_held_for_the_morning(new_phone, pool, app, push)
    old_zone = await pool.fetchval("SELECT time_zone FROM accounts WHERE id = $1", dana_id)
    before = await timed(pool, DIGESTS, dana_id)
    toms = await timed(pool, DIGESTS, tom_id)
    assert at_nine_in(old_zone, before["push Phone"], within=timedelta(hours=7))
    assert at_nine_in(old_zone, before["email"], within=timedelta(hours=7))

    # She moves to where it is 23:00: 09:00 where she was is 05:00 there.
    new_zone = zone_where_it_is(23)
    await moves_to(dana, new_zone)
    after = await timed(pool, DIGESTS, dana_id)
    assert at_nine_in(new_zone, after["push Phone"], within=timedelta(hours=11))
    assert at_nine_in(new_zone, after["email"], within=timedelta(hours=11))
    # Nothing wakes her tonight.
    async with running_worker(app, push) as worker:
        await worker.run_once()
    async with running_mail_worker(app, mail) as mailer:
        await mailer.run_once()
    assert push.received == [] and mail.received == []
    # The laptop's push, already tried, keeps its retry; Tom's, where he still lives, keep
    # his morning.
    assert after["push Laptop"] == before["push Laptop"]
    assert await timed(pool, DIGESTS, tom_id) == toms


async def test_a_digest_waiting_for_her_morning_goes_at_once_where_it_is_day(
    new_phone, pool, app, push, mail
):
    dana, dana_phone, _, tom_id = await digests_held_for_the_morning(new_phone, pool, app, push)
    toms = await timed(pool, DIGESTS, tom_id)
    await moves_to(dana, zone_where_it_is(13))
    async with running_worker(app, push) as worker:
        await worker.run_once()
    async with running_mail_worker(app, mail) as mailer:
        await mailer.run_once()
    [digest] = push.received_for(dana_phone)
    assert "Who did you miss" in digest.json()["title"]
    [email] = mail.received
    assert email.recipients == ("dana@example.com",) and "Who did you miss" in email.subject
    assert await timed(pool, DIGESTS, tom_id) == toms


async def summaries_held_for_the_morning(new_phone, pool, app, push, mail):
    """Dana's evening (20:00 where she lives, account 1): the day's summary went, by push and
    by email; more follow-ups fall due, and the next summary waits for 09:00 (not three hours
    later, at night). Returns her phone and her zone."""
    dana = await new_phone()
    await dana.make_card()
    old_zone = zone_where_it_is(20)
    await pool.execute(
        "UPDATE accounts SET time_zone = $1, reminders_by = 'both' WHERE id = 1", old_zone
    )
    await confirm_addresses(pool, "dana@example.com")
    await subscribe(dana, push)
    await flood(app, await dana.share_link())
    await make_due(pool)
    async with running_worker(app, push) as worker:
        await worker.run_once()
        async with running_mail_worker(app, mail) as mailer:
            await mailer.run_once()
        await pool.execute("UPDATE followups SET round = round + 1, due_at = now()")
        await worker.run_once()
    waiting = await timed(pool, SUMMARIES, 1)
    assert waiting.keys() == {"push", "email"}
    for goes in waiting.values():
        assert at_nine_in(old_zone, goes, within=timedelta(hours=14))
    return dana, old_zone


def at_nine_tomorrow_in(zone: str, goes: datetime) -> bool:
    """``goes`` is 09:00 tomorrow in ``zone`` (where it is the afternoon now)."""
    tomorrow = (datetime.now(ZoneInfo(zone)) + timedelta(days=1)).date()
    local = goes.astimezone(ZoneInfo(zone))
    return at_nine_in(zone, goes, within=timedelta(hours=20)) and local.date() == tomorrow


async def test_a_summary_waiting_for_her_morning_waits_for_it_where_she_lives_now(
    new_phone, pool, app, push, mail
):
    # She moves six hours west, where 09:00 where she was is 03:00.
    dana, _ = await summaries_held_for_the_morning(new_phone, pool, app, push, mail)
    new_zone = zone_where_it_is(14)
    await moves_to(dana, new_zone)
    for goes in (await timed(pool, SUMMARIES, 1)).values():
        assert at_nine_tomorrow_in(new_zone, goes)


async def test_her_save_waits_for_a_worker_queueing_her_reminders_and_neither_fails(
    new_phone, pool, app, push, mail
):
    """A worker queueing her reminders holds her waiting summaries (steps 2 and 3 of
    Worker.enqueue_due) when she saves a new zone, which waits for them; the worker then
    queues a reminder email for her (step 4: on a new day, her first few go one by one). It
    is not held up by her save in turn (a deadlock, one of the two failing): it commits, and
    her save goes through and moves the summaries."""
    dana, _ = await summaries_held_for_the_morning(new_phone, pool, app, push, mail)
    sql = app.state.sql
    followup_id, round_ = await pool.fetchrow("SELECT id, round FROM followups LIMIT 1")
    new_zone = zone_where_it_is(14)
    async with pool.acquire() as worker:
        async with worker.transaction():
            await sql.run(worker, "deliveries.lock_owners", owners=[1])
            await sql.run(worker, "deliveries.lock_waiting_summaries", owners=[1])
            save = asyncio.create_task(moves_to(dana, new_zone))
            await until_waiting_for_lock(
                pool, "her save waiting for the worker", held_by=worker.get_server_pid()
            )
            assert not save.done()  # waiting for the summaries the worker holds
            await asyncio.wait_for(
                worker.execute(
                    "INSERT INTO emails (kind, account_id, to_address, followup_id, round)"
                    " VALUES ('reminder', 1, 'dana@example.com', $1, $2)",
                    followup_id,
                    round_,
                ),
                timeout=10,
            )
        await asyncio.wait_for(save, timeout=10)
    for goes in (await timed(pool, SUMMARIES, 1)).values():
        assert at_nine_tomorrow_in(new_zone, goes)


async def test_you_met_let_go_at_night_waits_for_her_morning_where_she_lives_now(
    new_phone, pool, app
):
    """Dana's card asks for details first; Mia left hers and Dana accepts at 03:00 where Mia
    lives: her "You met" waits for 09:00 there. Mia moves; it waits for 09:00 where she is."""
    old_zone = zone_where_it_is(3)
    dana = await new_phone()
    await dana.make_card()
    await dana.post(dana.url("share_ask_first"), {"ask_details_first": "on"})
    _, mia = await leaves_details(new_phone, dana)
    await pool.execute("UPDATE accounts SET time_zone = $1 WHERE id <> 1", old_zone)
    contact_id = await pool.fetchval("SELECT id FROM contacts WHERE owner_id = 1")
    accepted = await dana.post(dana.url("contact_accept", contact_id=contact_id), {})
    assert accepted.status_code == 303
    met = "SELECT next_attempt_at FROM emails WHERE kind = 'met'"
    assert at_nine_in(old_zone, await pool.fetchval(met), within=timedelta(hours=7))

    new_zone = zone_where_it_is(23)
    await moves_to(mia, new_zone, reminders_by="")
    assert at_nine_in(new_zone, await pool.fetchval(met), within=timedelta(hours=11))
