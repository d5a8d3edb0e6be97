"""A flood of new contacts is one notification, not one each: a script leaves details on
Dana's card from many addresses at once; next morning her phone gets the first few reminders
and then one "You have N people to follow up", whose names the script does not choose; her
inbox the same, by email."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from server.db.pool import create_pool
from server.followups.worker import REMINDERS_EACH_DAY, SUMMARY_GAP
from tests.mailing import confirm_addresses, link_in, running_mail_worker
from tests.phone import Phone
from tests.reminders import make_due, running_worker, subscribe
from tests.waiting import until_waiting_for_lock


async def flood(app, link: str, count: int = 12) -> None:
    """A script leaves details on the card behind ``link`` from ``count`` addresses at once."""
    bots = [
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=(f"198.51.100.{n}", 5000)),
            base_url="http://testserver",
        )
        for n in range(count)
    ]
    try:
        answers = await asyncio.gather(
            *(
                Phone(bot, app).post(
                    link + "/details", {"name": f"Buy Pills {n}", "email": f"b{n}@example.com"}
                )
                for n, bot in enumerate(bots)
            )
        )
    finally:
        for bot in bots:
            await bot.aclose()
    assert [a.status_code for a in answers] == [303] * count


# A city for each whole number of hours ahead of UTC, none with summer time: a zone typed in
# Settings must be a place (Etc/GMT-N is refused there).
CITY_HOURS_AHEAD = {
    -9: "Pacific/Gambier",
    -8: "Pacific/Pitcairn",
    -7: "America/Phoenix",
    -6: "America/Regina",
    -5: "America/Bogota",
    -4: "America/La_Paz",
    -3: "America/Sao_Paulo",
    -2: "America/Noronha",
    -1: "Atlantic/Cape_Verde",
    0: "UTC",
    1: "Africa/Lagos",
    2: "Africa/Johannesburg",
    3: "Asia/Riyadh",
    4: "Asia/Dubai",
    5: "Asia/Tashkent",
    6: "Asia/Dhaka",
    7: "Asia/Bangkok",
    8: "Asia/Singapore",
    9: "Asia/Tokyo",
    10: "Australia/Brisbane",
    11: "Pacific/Noumea",
    12: "Pacific/Tarawa",
    13: "Pacific/Fakaofo",
    14: "Pacific/Kiritimati",
}


def zone_where_it_is(hour: int) -> str:
    """A time zone where it is ``hour`` o'clock now."""
    ahead = (hour - datetime.now(UTC).hour) % 24
    ahead = ahead - 24 if ahead > 14 else ahead
    return CITY_HOURS_AHEAD[ahead]


async def awake(pool) -> None:
    """Dana (account 1) lives where it is midday now: a summary never goes between 22:00 and
    09:00 her time, so without this these tests would fail when run in UTC's night."""
    await pool.execute("UPDATE accounts SET time_zone = $1 WHERE id = 1", zone_where_it_is(12))


async def flooded_with_a_device(new_phone, app, pool, push, count: int = 12):
    """Dana, push on one phone, flooded with ``count`` new contacts, all of them due now."""
    dana = await new_phone()
    await dana.make_card()
    await awake(pool)
    device = await subscribe(dana, push)
    await flood(app, await dana.share_link(), count=count)
    await make_due(pool)
    return dana, device


async def flooded_by_email(new_phone, app, pool) -> Phone:
    """Dana, flooded with 12 new contacts, all due now; her address is confirmed and she has
    no push device: her reminders come by email."""
    dana = await new_phone()
    await dana.make_card()
    await awake(pool)
    await confirm_addresses(pool, "dana@example.com")
    await flood(app, await dana.share_link())
    await make_due(pool)
    return dana


async def later_summaries_are_due(pool) -> None:
    """The summary queued after the first is to go SUMMARY_GAP after it; the clock moves on
    to then."""
    waits = await pool.fetch(
        "SELECT next_attempt_at - now() AS wait FROM deliveries"
        " WHERE status = 'queued' AND summary_day IS NOT NULL"
        " UNION ALL SELECT next_attempt_at - now() FROM emails"
        " WHERE status = 'queued' AND summary_day IS NOT NULL"
    )
    assert len(waits) == 1, "one summary waits for all that came due since"
    assert waits[0]["wait"] > timedelta(seconds=SUMMARY_GAP - 60)
    for moved in (
        "UPDATE deliveries SET next_attempt_at = now(), sent_at = sent_at - $1::interval"
        " WHERE summary_day IS NOT NULL",
        "UPDATE emails SET next_attempt_at = now(), sent_at = sent_at - $1::interval"
        " WHERE summary_day IS NOT NULL",
    ):
        await pool.execute(moved, timedelta(seconds=SUMMARY_GAP))


async def test_a_flood_of_new_contacts_is_a_few_reminders_then_one_summary(
    new_phone, app, pool, push
):
    dana, device = await flooded_with_a_device(new_phone, app, pool, push)
    async with running_worker(app, push) as worker:
        await worker.run_once()
        titles = [m.json()["title"] for m in push.received_for(device)]
        assert len(titles) == REMINDERS_EACH_DAY + 1
        assert "You have 12 people to follow up" in titles
        assert sum(t.startswith("Follow up with Buy Pills") for t in titles) == REMINDERS_EACH_DAY
        summary = next(
            m.json() for m in push.received_for(device) if "12 people" in m.json()["title"]
        )
        assert summary["url"].startswith(f"{dana.url('followups')}?from=push&for=")

        # More come due the same day (snoozed to this evening, say): not one by one, nor
        # straight after the summary, but in another summary a few hours after it.
        await pool.execute(
            "UPDATE followups SET round = round + 1, due_at = now() WHERE owner_id = 1"
        )
        await worker.run_once()
        assert len(push.received_for(device)) == REMINDERS_EACH_DAY + 1
        await later_summaries_are_due(pool)
        await worker.run_once()
        titles = [m.json()["title"] for m in push.received_for(device)]
        assert titles[REMINDERS_EACH_DAY + 1 :] == ["You have 12 people to follow up"]
    # Every one of them is still on her follow-ups page.
    page = await dana.get(dana.url("followups"))
    assert page.text.count("Buy Pills") >= 12


async def test_by_email_a_flood_is_a_few_reminder_emails_then_one_summary_email(
    new_phone, app, pool, push, mail
):
    dana = await flooded_by_email(new_phone, app, pool)
    async with running_worker(app, push) as pushes, running_mail_worker(app, mail) as mailer:
        await pushes.run_once()
        await mailer.run_once()
        inbox = mail.received_for("dana@example.com")
        subjects = [m.subject for m in inbox]
        assert len(subjects) == REMINDERS_EACH_DAY + 1, subjects
        assert sum(s.startswith("Follow up with Buy Pills") for s in subjects) == REMINDERS_EACH_DAY
        [summary] = [m for m in inbox if m.subject == "You have 12 people to follow up"]
        # Marked as our email's, and as the email of Dana's account (tests/mail/test_links_*).
        assert link_in(summary, "/followups").startswith(dana.url("followups") + "?from=email&for=")
        html = summary.message.get_body(("html",)).get_content()
        assert "See who to follow up" in html
        # Unsubscribed from in one click, as every reminder email is.
        unsubscribe = summary.message["List-Unsubscribe"]
        assert unsubscribe.startswith(f"<{app.state.settings.base_url}/m/unsubscribe?")
        assert summary.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert link_in(summary, "/m/unsubscribe")

        # More come due the same day: another summary email, a few hours after the first.
        await pool.execute(
            "UPDATE followups SET round = round + 1, due_at = now() WHERE owner_id = 1"
        )
        await pushes.run_once()
        await mailer.run_once()
        assert len(mail.received_for("dana@example.com")) == REMINDERS_EACH_DAY + 1
        await later_summaries_are_due(pool)
        await mailer.run_once()
        subjects = [m.subject for m in mail.received_for("dana@example.com")]
        assert subjects[REMINDERS_EACH_DAY + 1 :] == ["You have 12 people to follow up"]
    assert await pool.fetchval("SELECT count(*) FROM deliveries") == 0, "no device, no push"
    # Settings lists it among the recent emails, by name (it shows the latest five, so the
    # reminders, queued in the same statement, are cleared out of its way first).
    await pool.execute("DELETE FROM emails WHERE kind = 'reminder'")
    settings = await dana.get(dana.url("settings"))
    assert "Reminder summary" in settings.text


async def test_a_summary_email_nobody_is_waiting_for_any_more_is_not_sent(
    new_phone, app, pool, push, mail
):
    dana = await new_phone()
    await dana.make_card()
    await awake(pool)
    await confirm_addresses(pool, "dana@example.com")
    await flood(app, await dana.share_link(), count=REMINDERS_EACH_DAY + 2)
    await make_due(pool)
    async with running_worker(app, push) as pushes:
        await pushes.run_once()
    # She followed everyone up before the mail went out.
    await pool.execute("UPDATE followups SET status = 'done' WHERE owner_id = 1")
    async with running_mail_worker(app, mail) as mailer:
        await mailer.run_once()
    assert mail.received_for("dana@example.com") == []
    statuses = await pool.fetch(
        "SELECT kind, status FROM emails WHERE account_id = 1 ORDER BY kind, id"
    )
    assert [(r["kind"], r["status"]) for r in statuses] == [("reminder", "skipped")] * (
        REMINDERS_EACH_DAY
    ) + [("summary", "skipped")]


async def test_workers_enqueueing_at_once_still_send_five_and_one_summary(
    new_phone, app, pool, push, mail
):
    """Four workers, each on its own connections, take the flood's due follow-ups one at a
    time, all at once: together they still queue only the day's first five one by one, and
    one summary, on each channel."""
    dana = await new_phone()
    await dana.make_card()
    await awake(pool)
    device = await subscribe(dana, push)
    await confirm_addresses(pool, "dana@example.com")
    await pool.execute("UPDATE accounts SET reminders_by = 'both' WHERE id = 1")
    await flood(app, await dana.share_link())
    # Only hers are due, so that every worker takes one of hers each time.
    await pool.execute(
        "UPDATE followups SET due_at = now() - interval '1 minute' WHERE owner_id = 1"
    )
    pools = [await create_pool(app.state.settings.database_url, max_size=1) for _ in range(4)]
    try:
        for own in pools:  # connected before the race, so that none starts late
            await own.fetchval("SELECT 1")
        async with contextlib.AsyncExitStack() as stack:
            workers = [
                await stack.enter_async_context(
                    running_worker(app, push, pool=own, enqueue_batch=1)
                )
                for own in pools
            ]
            await asyncio.gather(*(worker.enqueue_due() for worker in workers))
    finally:
        for own in pools:
            await own.close()
    queued = await pool.fetchrow(
        "SELECT count(*) FILTER (WHERE followup_id IS NOT NULL) AS one_by_one,"
        " count(*) FILTER (WHERE summary_account_id IS NOT NULL) AS summaries"
        " FROM deliveries"
    )
    mailed = await pool.fetchrow(
        "SELECT count(*) FILTER (WHERE kind = 'reminder') AS one_by_one,"
        " count(*) FILTER (WHERE kind = 'summary') AS summaries"
        " FROM emails WHERE account_id = 1"
    )
    assert dict(queued) == {"one_by_one": REMINDERS_EACH_DAY, "summaries": 1}
    assert dict(mailed) == {"one_by_one": REMINDERS_EACH_DAY, "summaries": 1}

    # What her phone and her inbox get.
    async with running_worker(app, push) as pushes, running_mail_worker(app, mail) as mailer:
        await pushes.run_once()
        await mailer.run_once()
    titles = [m.json()["title"] for m in push.received_for(device)]
    subjects = [m.subject for m in mail.received_for("dana@example.com")]
    for said in (titles, subjects):
        assert len(said) == REMINDERS_EACH_DAY + 1, said
        assert said.count("You have 12 people to follow up") == 1, said
    # Each email says why it came by email: she chose both in Settings.
    for email in mail.received_for("dana@example.com"):
        text = email.message.get_body(("plain",)).get_content()
        assert "You asked Reachout to remind you by notification and by email." in text


async def test_a_summary_that_counted_them_is_not_followed_by_another(new_phone, app, pool, push):
    """A flood taken in two parts (a second worker held four of them): the first part's
    summary goes out counting all twelve, already due; the second part needs no other."""
    _, device = await flooded_with_a_device(new_phone, app, pool, push)
    async with running_worker(app, push) as worker:
        async with pool.acquire() as other, other.transaction():
            await other.execute(
                "SELECT 1 FROM followups WHERE id IN"
                " (SELECT id FROM followups WHERE owner_id = 1 ORDER BY id DESC LIMIT 4)"
                " FOR UPDATE"
            )
            await worker.run_once()
        titles = [m.json()["title"] for m in push.received_for(device)]
        assert titles.count("You have 12 people to follow up") == 1, titles
        await worker.run_once()  # the four, let go
    assert (
        await pool.fetchval(
            "SELECT count(*) FROM followups WHERE owner_id = 1 AND queued_round = round"
        )
        == 12
    )
    assert await pool.fetchval("SELECT count(*) FROM deliveries WHERE status = 'queued'") == 0
    assert len(push.received_for(device)) == REMINDERS_EACH_DAY + 1


async def test_a_summary_pushed_after_everyone_was_followed_up_is_not_sent(
    new_phone, app, pool, push
):
    _, device = await flooded_with_a_device(new_phone, app, pool, push, REMINDERS_EACH_DAY + 2)
    async with running_worker(app, push) as worker:
        await worker.enqueue_due()
        await pool.execute(
            "UPDATE deliveries SET next_attempt_at = now() + interval '1 hour'"
            " WHERE summary_account_id IS NOT NULL"
        )
        await worker.run_once()
        assert len(push.received_for(device)) == REMINDERS_EACH_DAY
        # She followed everyone up before the summary's time came.
        await pool.execute("UPDATE followups SET status = 'done'")
        await pool.execute("UPDATE deliveries SET next_attempt_at = now()")
        await worker.run_once()
    titles = [m.json()["title"] for m in push.received_for(device)]
    assert not any(t.startswith("You have") for t in titles), titles
    assert (
        await pool.fetchval("SELECT status FROM deliveries WHERE summary_account_id IS NOT NULL")
        == "skipped"
    )


async def test_a_later_summary_due_at_night_waits_for_the_morning(new_phone, app, pool, push):
    """Dana's evening: the day's summary went at 20:00 her time; one more follow-up falls
    due. The next summary is not three hours later at 23:00, but at 09:00."""
    dana = await new_phone()
    await dana.make_card()
    device = await subscribe(dana, push)
    # 20:00 to 20:59, not 21:xx: a run at 21:59 would reach 22:00, the night, before the
    # first summary, which would then wait for the morning too.
    zone = zone_where_it_is(20)
    await pool.execute("UPDATE accounts SET time_zone = $1 WHERE id = 1", zone)
    await flood(app, await dana.share_link())
    await make_due(pool)
    async with running_worker(app, push) as worker:
        await worker.run_once()
        assert len(push.received_for(device)) == REMINDERS_EACH_DAY + 1
        await pool.execute("UPDATE followups SET round = round + 1, due_at = now()")
        await worker.run_once()
    waiting = await pool.fetchval(
        "SELECT next_attempt_at AT TIME ZONE $1 FROM deliveries WHERE status = 'queued'", zone
    )
    local_now = datetime.now(ZoneInfo(zone)).replace(tzinfo=None)
    assert (waiting.hour, waiting.minute) == (9, 0)
    assert waiting.date() == local_now.date() + timedelta(days=1)


async def test_the_small_hours_are_still_the_evening_before_for_the_five_a_day(
    new_phone, app, pool, push
):
    """Dana's five reminders of the day went at 23:00 her time; at 02:00 more fall due (the
    worker was down, say). Not five more buzzes in the night as if a new day had begun: one
    summary, at 09:00."""
    _, device = await flooded_with_a_device(new_phone, app, pool, push)
    zone = zone_where_it_is(2)
    await pool.execute("UPDATE accounts SET time_zone = $1 WHERE id = 1", zone)
    await pool.execute(
        "UPDATE followups SET queued_round = round, queued_at = now() - interval '3 hours'"
        " WHERE id IN (SELECT id FROM followups WHERE owner_id = 1 ORDER BY id LIMIT $1)",
        REMINDERS_EACH_DAY,
    )
    async with running_worker(app, push) as worker:
        await worker.run_once()
    assert push.received_for(device) == []
    waiting = await pool.fetchval(
        "SELECT next_attempt_at AT TIME ZONE $1 FROM deliveries WHERE status = 'queued'", zone
    )
    assert (waiting.hour, waiting.minute) == (9, 0)


async def test_a_summary_claimed_as_one_more_falls_due_is_followed_by_another(
    new_phone, app, pool, push
):
    """Another worker claims the waiting summary, counting what is due at that moment, while
    this one takes a follow-up that fell due just after: the summary does not name it, so
    another is queued for it (the taking waits for the claim to end, then sees it)."""
    await flooded_with_a_device(new_phone, app, pool, push, REMINDERS_EACH_DAY + 2)
    async with running_worker(app, push) as worker:
        await worker.enqueue_due()
        summary = "SELECT status FROM deliveries WHERE summary_account_id IS NOT NULL ORDER BY id"
        assert [r["status"] for r in await pool.fetch(summary)] == ["queued"]
        await pool.execute(
            "UPDATE followups SET round = round + 1, due_at = now() - interval '30 seconds'"
            " WHERE id = (SELECT min(id) FROM followups WHERE owner_id = 1)"
        )
        async with pool.acquire() as claim:
            claiming = claim.transaction()
            await claiming.start()
            await claim.execute(
                "UPDATE deliveries SET status = 'sending', counted_at = now() - interval '1 minute'"
                " WHERE summary_account_id IS NOT NULL"
            )
            taking = asyncio.create_task(worker.enqueue_due())
            await until_waiting_for_lock(
                pool, "the taking waiting for the claim", held_by=claim.get_server_pid()
            )
            assert not taking.done(), "it waits for the claim under way"
            await claiming.commit()
            assert await asyncio.wait_for(taking, 10) == 1
    assert [r["status"] for r in await pool.fetch(summary)] == ["sending", "queued"]


async def undelivered_on_all_twelve(dana: Phone, pool) -> str:
    """Follow-ups says of each of the twelve that a reminder could not be delivered: the five
    that had one of their own, and the seven only a summary counted, no less unreminded.
    Returns the page of one of the seven."""
    page = await dana.get(dana.url("followups"))
    assert page.text.count("A reminder could not be delivered") == 12
    only_summarised = await pool.fetchval(
        "SELECT contact_id FROM followups f WHERE owner_id = 1"
        " AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.followup_id = f.id)"
        " AND NOT EXISTS (SELECT 1 FROM emails e WHERE e.followup_id = f.id) LIMIT 1"
    )
    return (await dana.get(dana.url("contact", contact_id=only_summarised))).text


async def test_a_summary_that_fails_for_good_is_said_on_each_follow_up_it_counted(
    new_phone, app, pool, push
):
    dana, device = await flooded_with_a_device(new_phone, app, pool, push)
    # The push service refuses every one of the morning's notifications for good.
    push.script(device, [413] * (REMINDERS_EACH_DAY + 1))
    async with running_worker(app, push) as worker:
        await worker.run_once()
        await asyncio.sleep(0.05)
        await worker.run_once()
        assert push.received_for(device) == []
        contact = await undelivered_on_all_twelve(dana, pool)
        assert "A reminder could not be delivered to one of your devices" in contact

        # One more falls due: the summary that goes next counts every one and reaches her.
        await pool.execute(
            "UPDATE followups SET round = round + 1, due_at = now()"
            " WHERE id = (SELECT max(id) FROM followups WHERE owner_id = 1)"
        )
        await worker.run_once()
        await pool.execute("UPDATE deliveries SET next_attempt_at = now() WHERE status = 'queued'")
        await worker.run_once()
        titles = [m.json()["title"] for m in push.received_for(device)]
        assert titles == ["You have 12 people to follow up"]
    page = await dana.get(dana.url("followups"))
    assert "could not be delivered" not in page.text


async def test_the_five_that_reached_her_on_their_own_are_not_said_undelivered(
    new_phone, app, pool, push
):
    """The five single reminders went; only the summary failed (as the push service's 413
    would leave it): the seven it alone counted are said undelivered, not the five."""
    dana, _ = await flooded_with_a_device(new_phone, app, pool, push)
    async with running_worker(app, push) as worker:
        await worker.run_once()
    await pool.execute("UPDATE deliveries SET status = 'failed' WHERE summary_account_id = 1")
    await only_the_summarised_said_undelivered(dana, pool)


async def test_the_five_emailed_on_their_own_are_not_said_undelivered(
    new_phone, app, pool, push, mail
):
    dana = await flooded_by_email(new_phone, app, pool)
    async with running_worker(app, push) as pushes, running_mail_worker(app, mail) as mailer:
        await pushes.run_once()
        await mailer.run_once()
    await pool.execute("UPDATE emails SET status = 'failed' WHERE kind = 'summary'")
    await only_the_summarised_said_undelivered(dana, pool)


async def only_the_summarised_said_undelivered(dana: Phone, pool) -> None:
    """Follow-ups says "could not be delivered" of the seven only the failed summary counted,
    not of one whose own reminder went (by push or by email)."""
    page = await dana.get(dana.url("followups"))
    assert page.text.count("A reminder could not be delivered") == 12 - REMINDERS_EACH_DAY
    reached = await pool.fetchval(
        "SELECT contact_id FROM followups f WHERE owner_id = 1"
        " AND (EXISTS (SELECT 1 FROM deliveries d WHERE d.followup_id = f.id)"
        " OR EXISTS (SELECT 1 FROM emails e WHERE e.followup_id = f.id)) LIMIT 1"
    )
    contact = await dana.get(dana.url("contact", contact_id=reached))
    assert "could not be delivered" not in contact.text


async def test_a_summary_email_that_fails_for_good_is_said_on_each_follow_up_it_counted(
    new_phone, app, pool, push, mail
):
    dana = await flooded_by_email(new_phone, app, pool)
    # Her mail server keeps saying "later" until the worker gives up.
    mail.refuse(451, "4.3.0 Try again later")
    async with (
        running_worker(app, push) as pushes,
        running_mail_worker(app, mail, max_attempts=1) as mailer,
    ):
        await pushes.run_once()
        await mailer.run_once()
    assert mail.received_for("dana@example.com") == []
    contact = await undelivered_on_all_twelve(dana, pool)
    assert "The reminder email could not be delivered" in contact
    assert "Recent emails to you" in contact


async def test_a_summary_sent_late_after_a_retry_is_not_followed_by_one_telling_the_same(
    new_phone, app, pool, push
):
    """The morning's summary was on its way when one more fell due, so another was queued
    for three hours later; then the push service said "later" and the first went after all,
    counting that one too. The second has nothing new to tell: it is not sent."""
    _, device = await flooded_with_a_device(new_phone, app, pool, push)
    async with running_worker(app, push) as worker:
        await worker.enqueue_due()
        first = await pool.fetchval("SELECT id FROM deliveries WHERE summary_account_id = 1")
        # On its way: claimed, counted.
        await pool.execute(
            "UPDATE deliveries SET status = 'sending', counted_at = now(), attempts = 1"
            " WHERE id = $1",
            first,
        )
        await pool.execute(
            "UPDATE followups SET round = round + 1, due_at = now()"
            " WHERE id = (SELECT max(id) FROM followups WHERE owner_id = 1)"
        )
        await worker.enqueue_due()
        assert (
            await pool.fetchval(
                "SELECT count(*) FROM deliveries WHERE summary_account_id = 1 AND status = 'queued'"
            )
            == 1
        ), "a second summary, for later"
        # "Later", said the push service: the first goes again, now.
        await pool.execute(
            "UPDATE deliveries SET status = 'queued', next_attempt_at = now() WHERE id = $1",
            first,
        )
        await worker.run_once()
        await later_summaries_are_due(pool)
        await worker.run_once()
    titles = [m.json()["title"] for m in push.received_for(device)]
    assert titles.count("You have 12 people to follow up") == 1, titles
    assert len(titles) == REMINDERS_EACH_DAY + 1
    assert (
        await pool.fetchval(
            "SELECT status FROM deliveries WHERE summary_account_id = 1 AND id <> $1", first
        )
        == "skipped"
    )
