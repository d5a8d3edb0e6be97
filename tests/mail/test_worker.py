"""The mail worker against the real SMTP sink: the person with no app gets "You met", then her
reminder; nothing lost or sent twice when the mail server refuses, goes down, or two workers
run; a waited-for message leaves at once."""

from __future__ import annotations

import asyncio
import json
import re
import time
from datetime import time as clock
from datetime import timedelta

import icalendar

from server.cards import fields
from server.mail import addresses
from tests.mailing import leaves_details, link_in, pressed, running_mail_worker, sent_once
from tests.phone import soup, text_of
from tests.reminders import (
    make_due,
    next_morning,
    running_worker,
    subscribe,
    zone_where_it_is,
)
from tests.signin.test_routes import code_from
from tests.waiting import eventually


async def emails(pool) -> list[tuple[str, str, int]]:
    rows = await pool.fetch("SELECT kind, status, attempts FROM emails ORDER BY id")
    return [(r["kind"], r["status"], r["attempts"]) for r in rows]


async def test_leaving_details_queues_you_met_and_the_worker_sends_it(new_phone, pool, mail, app):
    await leaves_details(new_phone)
    assert await emails(pool) == [("met", "queued", 0)], "the request only writes a row"
    assert mail.received == []
    async with running_mail_worker(app, mail) as worker:
        assert await worker.run_once() == 1
    [sent] = await mail.wait_for(1)
    assert sent.recipients == ("mia@example.com",)
    assert sent.subject == "You met Dana Lee"
    assert await emails(pool) == [("met", "sent", 1)]


async def test_remind_me_tomorrow_once_no_longer_connected_promises_nothing(
    new_phone, pool, mail, app
):
    """Dana blocked Mia after Mia left her details: "Remind me tomorrow" in Mia's "You met"
    says there is nothing to remind her of, before and after the button."""
    dana, _ = await leaves_details(new_phone)
    met = await sent_once(app, mail)
    confirm = link_in(met, "/m/confirm/")
    contact_id = await pool.fetchval("SELECT id FROM contacts WHERE owner_id = 1")
    page = soup(await dana.get(dana.url("contact", contact_id=contact_id)))
    assert (await dana.post(page.select_one("details form")["action"])).status_code == 303
    phone = await new_phone()
    for answer in (await phone.get(confirm), await pressed(phone, confirm)):
        assert answer.status_code == 200
        said = soup(answer)
        assert said.h1.get_text() == "No reminder to set"
        assert "Dana Lee is no longer among your contacts" in said.main.get_text()
        assert said.select_one("main form button") is None
    assert await pool.fetchval("SELECT count(*) FROM followups") == 0


async def test_remind_me_tomorrow_promises_an_email_only_where_one_will_come(
    new_phone, pool, mail, app
):
    """Mia unsubscribed (from another "You met", say), then presses "Remind me tomorrow": she
    asks for that email, so mail goes there again. Had her Settings said reminders come by
    neither push nor email, the page says when it is due, not that we will email."""
    _, visitor = await leaves_details(new_phone)
    met = await sent_once(app, mail)
    confirm = link_in(met, "/m/confirm/")
    await pool.execute("UPDATE email_addresses SET unsubscribed_at = now()")
    done = soup(await pressed(visitor, confirm))
    assert done.h1.get_text() == "Done: you will be reminded"
    assert await pool.fetchval("SELECT unsubscribed_at FROM email_addresses") is None
    await pool.execute("UPDATE accounts SET reminders_by = 'neither' WHERE id = 2")
    await pool.execute("UPDATE followups SET round = round + 1")
    again = soup(await pressed(visitor, confirm))
    assert again.h1.get_text() == f"Done: it is due {next_morning()}"
    said = again.select_one("main p").get_text(" ", strip=True)
    assert said.startswith(f"Your follow-up with Dana Lee is due {next_morning()} at 09:00.")
    assert "We will email" not in again.main.get_text()


async def test_remind_me_tomorrow_confirms_and_the_reminder_comes_by_email(
    new_phone, pool, mail, app
):
    from server.followups.worker import Worker

    _, visitor = await leaves_details(new_phone)
    async with running_mail_worker(app, mail) as worker:
        await worker.run_once()
        [met] = await mail.wait_for(1)
        confirm = link_in(met, "/m/confirm/")
        stranger = await new_phone()  # the link works in any browser, signed in or not
        page = await stranger.get(confirm)
        assert page.status_code == 200 and "Remind me tomorrow" in page.text
        assert await pool.fetchval("SELECT confirmed_at FROM email_addresses") is None
        done = await pressed(stranger, confirm)
        assert done.status_code == 200
        assert "you will be reminded" in done.text
        # Reloaded: the same page, nothing sent again.
        assert (await stranger.get(str(done.url))).text == done.text
        # Opened again (the mail app, another device): it says when, not "Remind me tomorrow".
        again = soup(await stranger.get(confirm))
        assert again.h1.get_text() == "You will be reminded"
        assert re.match(
            rf"We will email mia@example\.com {next_morning()} at 09:00"
            r" to follow up with Dana Lee\.$",
            again.select_one("main p").get_text(),
        )
        assert again.select_one("main form button") is None
        # Reminders for Dana turned off: it promises nothing, and offers the button again.
        await pool.execute("UPDATE followups SET status = 'off' WHERE owner_id = 2")
        off = soup(await stranger.get(confirm))
        assert off.h1.get_text() == "Follow up with Dana Lee"
        assert off.select_one("main form button").get_text() == "Remind me tomorrow"
        await pool.execute("UPDATE followups SET status = 'open' WHERE owner_id = 2")
        assert await pool.fetchval("SELECT confirmed_at FROM email_addresses") is not None
        due = await pool.fetchval(
            "SELECT f.due_at - now() FROM followups f JOIN contacts c ON c.id = f.contact_id"
            " WHERE c.owner_id = 2"
        )
        assert due.total_seconds() > 0, "due tomorrow, not now"

        # Tomorrow comes: her follow-up is due, and she has no push device.
        await pool.execute("UPDATE followups SET due_at = now() - interval '1 minute'")
        await pool.execute("UPDATE followups SET status = 'done' WHERE owner_id = 1")
        pushes = Worker(pool=pool, sql=app.state.sql, sender=None, paths=None)  # type: ignore[arg-type]
        await pushes.enqueue_due()
        mail.received.clear()
        assert await worker.run_once() == 1
    [reminder] = await mail.wait_for(1)
    assert reminder.recipients == ("mia@example.com",)
    assert reminder.subject == "Follow up with Dana Lee"
    text = reminder.message.get_body(("plain",)).get_content()
    assert "Snooze a week" in text and "Done" in text
    assert await pool.fetchval("SELECT count(*) FROM deliveries") == 0, "no push device, no push"
    # Her Settings say "Automatically": it says why email, not that she chose it.
    assert "Reachout reminds you by email while none of your phones has notifications on." in text
    assert "You asked" not in text
    # "See Dana Lee in Reachout" opens her page where Mia is signed in; in a mail app's own
    # browser, which is not, the page says to sign in (she has a card), not to make one.
    see_dana = link_in(reminder, "/contacts/")
    assert "Dana Lee" in text_of(await visitor.get(see_dana))
    mail_phone = await new_phone()
    mail_app = soup(await mail_phone.get(see_dana))
    assert mail_app.h1.get_text() == "Sign in to open this"
    assert [a.get_text() for a in mail_app.select("main a")] == ["Sign in", "Make my card"]
    # Signing in there leads on to Dana's page, not to the list of contacts.
    sign_in = soup(await mail_phone.get(mail_app.find("a", string="Sign in")["href"]))
    form = sign_in.find("button", string="Send me a code").find_parent("form")
    asked = await mail_phone.post(
        form["action"],
        {"email": "mia@example.com", "next": form.select_one("[name=next]")["value"]},
    )
    code_step = soup(await mail_phone.get(asked.headers["location"]))
    form = code_step.find("button", string="Sign in").find_parent("form")
    mail.received.clear()
    code = await code_from(mail, app)
    fields = {field["name"]: field.get("value", "") for field in form.select("input[type=hidden]")}
    signed = await mail_phone.post(form["action"], {**fields, "code": code})
    assert signed.status_code == 303
    assert signed.headers["location"] == see_dana.split("?")[0] + "?notice=signed_in"
    assert "Dana Lee" in text_of(await mail_phone.get(signed.headers["location"]))
    # The same for the Follow-ups link of a summary or digest email (a page open to anyone).
    followups = visitor.url("followups") + "?from=email"
    assert soup(await (await new_phone()).get(followups)).h1.get_text() == "Sign in to open this"

    # "Done" from the email: a page with one button; the button acts once. Snoozed first
    # (from the same email), "Done" still marks it done: the person followed up.
    done_link = link_in(reminder, "/m/followups/")
    assert "/done?" in done_link
    snooze_link = link_in(reminder, "/m/followups/", "/snooze")
    assert "Snoozed for a week" in (await pressed(visitor, snooze_link)).text
    assert "already done or snoozed" in (await visitor.post(snooze_link, {})).text
    shown = await visitor.get(done_link)
    assert "Mark done" in shown.text
    assert await pool.fetchval("SELECT status FROM followups WHERE owner_id = 2") == "open"
    first = await pressed(visitor, done_link)
    assert "Marked done" in first.text
    again = await visitor.post(done_link, {})
    assert "already done" in again.text
    assert await pool.fetchval("SELECT status FROM followups WHERE owner_id = 2") == "done"
    followed_up = soup(await visitor.get(confirm))
    assert followed_up.h1.get_text() == "You followed up with Dana Lee"
    assert followed_up.select_one("main form button") is None
    # Dana removed from Mia's contacts since: the email's links say the follow-up is gone
    # (410), in a page, not a bare "not found".
    await pool.execute("DELETE FROM contacts WHERE owner_id = 2")
    for link in (done_link, snooze_link):
        gone = await visitor.get(link)
        assert gone.status_code == 410
        assert soup(gone).h1.get_text() == "This link no longer works"
        assert "This follow-up is no longer on Reachout" in text_of(gone)


async def test_an_unconfirmed_address_gets_one_first_email_a_day_whoever_triggers_it(
    new_phone, pool, mail, app
):
    for sharer in range(3):
        dana = await new_phone()
        await dana.make_card(name=f"Sharer {sharer}", email=f"s{sharer}@example.com")
        await leaves_details(new_phone, dana, email="Mia@Example.com")
    assert await emails(pool) == [("met", "queued", 0)]
    # A day later, one more may go.
    await pool.execute(
        "UPDATE email_addresses SET last_first_mail_at = now() - interval '25 hours'"
    )
    await leaves_details(new_phone, email="mia@example.com")
    assert [kind for kind, _, _ in await emails(pool)] == ["met", "met"]
    async with running_mail_worker(app, mail) as worker:
        await worker.run_once()
    assert len(await mail.wait_for(2)) == 2


async def test_a_confirmed_address_gets_a_busy_days_emails_not_a_flood(new_phone, pool):
    """Mia confirmed her address: each card she leaves it on emails her "You met", up to 30 a
    day (a big event's worth). Someone typing her address on card after card cannot bury her
    inbox: the 31st is not sent."""
    from tests.mailing import confirm_addresses

    await leaves_details(new_phone, email="mia@example.com")
    await confirm_addresses(pool, "mia@example.com")
    # 28 more went today (and as many yesterday, which no longer count).
    for age in (timedelta(hours=1), timedelta(hours=25)):
        await pool.execute(
            "INSERT INTO emails (kind, account_id, to_address, about_id, status, created_at)"
            " SELECT 'met', account_id, to_address, about_id, 'sent', now() - $1::interval"
            " FROM (SELECT * FROM emails ORDER BY id LIMIT 1) first, generate_series(1, 28)",
            age,
        )
    await leaves_details(new_phone, email="mia@example.com")
    queued = "SELECT count(*) FROM emails WHERE status = 'queued'"
    assert await pool.fetchval(queued) == 2, "the 30th of the day"
    await leaves_details(new_phone, email="Mia@example.com")
    assert await pool.fetchval(queued) == 2, "not the 31st"


async def test_a_bad_address_gets_a_clear_answer_and_nothing_is_queued(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    link = await dana.share_link()
    visitor = await new_phone()
    response = await visitor.post(link + "/details", {"name": "Mia", "email": "mia@@example"})
    assert response.status_code == 422
    assert "email" in response.text.lower()
    assert await pool.fetchval("SELECT count(*) FROM emails") == 0
    assert await pool.fetchval("SELECT count(*) FROM email_addresses") == 0


async def test_letters_outside_ascii_before_the_at_are_refused_in_the_form(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    visitor = await new_phone()
    response = await visitor.post(
        await dana.share_link() + "/details", {"name": "Gil", "email": "gíl@example.com"}
    )
    assert response.status_code == 422
    assert fields.NOT_EMAILABLE in text_of(response)
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 1, "Dana's only"


async def test_a_domain_in_any_script_is_mailed_by_its_ascii_name(new_phone, pool, mail, app):
    await leaves_details(new_phone, email="gil@exámple.com")
    assert await pool.fetchval("SELECT email FROM cards WHERE name = 'Mia Chen'") == (
        "gil@exámple.com"
    ), "kept as typed, for the people who see the card"
    async with running_mail_worker(app, mail) as worker:
        assert await worker.run_once() == 1
    [sent] = await mail.wait_for(1)
    assert sent.recipients == ("gil@xn--exmple-qta.com",)
    assert sent.message["To"] == "Mia Chen <gil@xn--exmple-qta.com>"


async def test_an_address_that_cannot_be_mailed_fails_alone(new_phone, pool, mail, app):
    """A card from before the check holds "gíl@…": its email fails, said why, and the worker
    goes on to the next (it stopped the worker at every start, and with it every reminder)."""
    await leaves_details(new_phone, name="Gil Old", email="gil.old@example.com")
    await pool.execute("INSERT INTO email_addresses (address) VALUES ('gíl@example.com')")
    await pool.execute("UPDATE emails SET to_address = 'gíl@example.com'")
    await leaves_details(new_phone, name="Mia Chen", email="mia@example.com")
    sent = await sent_once(app, mail)
    assert sent.recipients == ("mia@example.com",)
    rows = await pool.fetch("SELECT to_address, status, last_error FROM emails ORDER BY id")
    assert [(row["to_address"], row["status"]) for row in rows] == [
        ("gíl@example.com", "failed"),
        ("mia@example.com", "sent"),
    ]
    assert "ASCII" in rows[0]["last_error"]


async def test_mail_server_down_then_up_loses_nothing_and_sends_nothing_twice(
    new_phone, pool, mail, app
):
    for i in range(3):
        await leaves_details(new_phone, name=f"Guest {i}", email=f"g{i}@example.com")
    await mail.stop()
    try:
        async with running_mail_worker(app, mail) as worker:
            assert await worker.run_once() == 3
            rows = await pool.fetch("SELECT status, attempts, last_error FROM emails")
            assert {(r["status"], r["attempts"]) for r in rows} == {("queued", 1)}
            assert all(r["last_error"] for r in rows), "the reason is kept"
            await mail.start()
            await pool.execute("UPDATE emails SET next_attempt_at = now()")
            assert await worker.run_once() == 3
    finally:
        if not mail.running:
            await mail.start()
    received = await mail.wait_for(3)
    assert sorted(m.recipients[0] for m in received) == [f"g{i}@example.com" for i in range(3)]
    assert {(s, a) for _, s, a in await emails(pool)} == {("sent", 2)}


async def test_temporary_refusal_is_retried_and_a_permanent_one_stops_mail_to_the_address(
    new_phone, pool, mail, app
):
    await leaves_details(new_phone, email="later@example.com")
    async with running_mail_worker(app, mail) as worker:
        mail.refuse(451, "4.3.0 Try again later", times=1)
        await worker.run_once()
        assert await emails(pool) == [("met", "queued", 1)]
        assert "Try again later" in await pool.fetchval("SELECT last_error FROM emails")
        await pool.execute("UPDATE emails SET next_attempt_at = now()")
        await worker.run_once()
        assert await emails(pool) == [("met", "sent", 2)]

        await leaves_details(new_phone, email="nobody@example.com")
        mail.refuse(550, "5.1.1 No such user", times=1)
        await worker.run_once()
    bounced = await pool.fetchrow(
        "SELECT bounced_at, bounce_reason FROM email_addresses WHERE address = 'nobody@example.com'"
    )
    assert bounced["bounced_at"] is not None and "No such user" in bounced["bounce_reason"]
    assert (await emails(pool))[-1] == ("met", "failed", 1)
    # A bouncing address gets nothing more, whoever asks.
    await pool.execute("UPDATE email_addresses SET last_first_mail_at = NULL")
    await leaves_details(new_phone, email="nobody@example.com")
    assert len(await emails(pool)) == 2


async def test_two_workers_send_each_message_once(new_phone, pool, mail, app):
    for i in range(12):
        await leaves_details(new_phone, name=f"Guest {i}", email=f"g{i}@example.com")
    mail.latency = 0.02
    async with (
        running_mail_worker(app, mail, connections=2) as one,
        running_mail_worker(app, mail, connections=2) as two,
    ):
        handled = await asyncio.gather(one.run_once(), two.run_once())
    assert sum(handled) == 12
    received = await mail.wait_for(12)
    assert sorted(m.recipients[0] for m in received) == sorted(
        f"g{i}@example.com" for i in range(12)
    )
    assert await pool.fetchval("SELECT count(*) FROM emails WHERE status = 'sent'") == 12


async def test_a_waited_for_message_leaves_at_once_woken_by_notify(
    new_phone, pool, mail, app, database_url, monkeypatch
):
    from server.db.listener import Listener

    phone = await new_phone()
    await phone.make_card()
    listener = Listener(database_url, "mail")
    await listener.start()
    stop = asyncio.Event()
    try:
        async with running_mail_worker(app, mail, poll_seconds=30) as worker:
            passes: list[int] = []
            run_once = worker.run_once

            async def counted(stop: asyncio.Event | None = None) -> int:
                passes.append(await run_once(stop))
                return passes[-1]

            monkeypatch.setattr(worker, "run_once", counted)
            running = asyncio.create_task(worker.run(stop, listener))
            # Idle, a pass that found nothing behind it: the next poll is 30 s away.
            await eventually(lambda: asyncio.sleep(0, 0 in passes), "the worker idle")
            asked = time.monotonic()
            async with pool.acquire() as conn:
                refused = await addresses.queue_confirm(conn, app.state.sql, 1, "dana@example.com")
                assert refused is None
            await mail.wait_for(1, timeout=5)
            took = time.monotonic() - asked
            stop.set()
            await running
    finally:
        stop.set()
        await listener.close()
    # Woken, not polled: well inside the 30 s poll, with room for a loaded CI machine.
    assert took < 5, f"took {took:.2f} s"


async def test_a_killed_worker_loses_nothing_and_its_mail_goes_out_within_seconds(
    new_phone, pool, mail, worker_env, monkeypatch
):
    import os
    import signal
    import sys

    from tests.conftest import PROJECT_ROOT

    for i in range(4):
        await leaves_details(new_phone, name=f"Guest {i}", email=f"g{i}@example.com")
    env = {**os.environ, **worker_env, "WORKER_LEASE_SECONDS": "3", "LOG_LEVEL": "WARNING"}

    async def start() -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "server", "worker", env=env, cwd=PROJECT_ROOT
        )

    mail.latency = 2.0  # every message waits at the end of DATA: the worker is mid-send
    awaiting = 0
    answer = mail._answer

    async def counted(envelope):  # type: ignore[no-untyped-def]
        nonlocal awaiting
        awaiting += 1
        try:
            return await answer(envelope)
        finally:
            awaiting -= 1

    monkeypatch.setattr(mail, "_answer", counted)
    first = await start()

    async def all_sending() -> bool:
        return bool(
            await pool.fetchval("SELECT count(*) FROM emails WHERE status = 'sending'") == 4
        )

    await eventually(all_sending, "the four messages claimed")
    await eventually(
        lambda: asyncio.sleep(0, awaiting > 0), "a message sent, waiting for its answer"
    )
    first.send_signal(signal.SIGKILL)
    await first.wait()
    killed_at = time.monotonic()
    mail.latency = 0.0
    second = await start()
    try:
        for _ in range(300):
            if await pool.fetchval("SELECT count(*) FROM emails WHERE status = 'sent'") == 4:
                break
            await asyncio.sleep(0.05)
        took = time.monotonic() - killed_at
    finally:
        second.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(second.wait(), 15) == 0
    assert await pool.fetchval("SELECT count(*) FROM emails WHERE status = 'sent'") == 4
    # The killed worker's lease (3 s) ran out and the new worker, started from nothing, sent
    # them: seconds, with room for a loaded CI machine, not the default lease (20 s) or more.
    assert took < 15, f"took {took:.1f} s"
    assert sorted(m.recipients[0] for m in mail.received) == [f"g{i}@example.com" for i in range(4)]


async def test_the_welcome_page_says_where_the_card_was_emailed(new_phone, pool):
    from tests.events.test_routes import attendee, organizer_with_event

    _, event_id = await organizer_with_event(new_phone)
    dana = await attendee(new_phone, pool, event_id, "Dana Lee")
    link = await dana.share_link()
    visitor = await new_phone()
    left = await visitor.post(link + "/details", {"name": "Mia Chen", "email": "mia@example.com"})
    page = text_of(await visitor.get(left.headers["location"]))
    assert (
        "We'll also email a copy to mia@example.com if we can: we limit how many emails an"
        " address gets each day." in page
    )
    # No email left: nothing said of one.
    other = await new_phone()
    left = await other.post(link + "/details", {"name": "Sam Roe", "phone": "+1 415 555 0100"})
    assert left.status_code == 303
    welcome = await other.get(left.headers["location"])
    assert "email a copy" not in text_of(welcome)
    # No email, no app: the calendar reminds him. His follow-up with Dana, in the file.
    said = text_of(welcome)
    assert f"Your follow-up with Dana Lee is due {next_morning()} at 09:00." in said
    calendar_link = soup(welcome).main.find("a", string="Add to my calendar")
    ics = await other.get(calendar_link["href"])
    assert ics.headers["content-type"].startswith("text/calendar")
    # A download by its answer (no `download` on the link: a refusal shows as a page).
    assert ics.headers["content-disposition"].startswith("attachment")
    [entry] = icalendar.Calendar.from_ical(ics.content).walk("VEVENT")
    assert str(entry["summary"]) == "Follow up with Dana Lee"
    # The same address again today (unconfirmed: one first email a day): said, not left out.
    again = await new_phone()
    left = await again.post(link + "/details", {"name": "Mia Chen", "email": "mia@example.com"})
    page = text_of(await again.get(left.headers["location"]))
    # The same words: whether it went would tell whether the address has an account.
    assert "We'll also email a copy to mia@example.com" in page


async def test_a_reminder_queued_for_her_old_address_is_not_sent_there(
    new_phone, pool, mail, push, app
):
    """Mia's reminder email is queued (the mail server asked us to try later); meanwhile she
    puts her new address on her card: the old inbox gets nothing. Her next reminder is queued
    for her address, and she turns on notifications and switches her reminders to push: it
    comes to her phone instead, once, and nothing by email."""
    from server.followups.worker import Worker

    _, visitor = await leaves_details(new_phone)
    met = await sent_once(app, mail)
    await pressed(visitor, link_in(met, "/m/confirm/"))
    pushes = Worker(pool=pool, sql=app.state.sql, sender=None, paths=None)  # type: ignore[arg-type]
    reminders = "SELECT to_address, status FROM emails WHERE kind = 'reminder' ORDER BY id"

    await make_due(pool)
    await pushes.enqueue_due()
    assert [tuple(row) for row in await pool.fetch(reminders)] == [("mia@example.com", "queued")]
    await visitor.make_card(name="Mia Chen", email="mia.chen@example.org")
    mail.received.clear()
    async with running_mail_worker(app, mail) as worker:
        await worker.run_once()
    assert mail.received == []
    assert [tuple(row) for row in await pool.fetch(reminders)] == [("mia@example.com", "skipped")]

    # Back to her confirmed address; reminded again, then by push from now on.
    await visitor.make_card(name="Mia Chen", email="mia@example.com")
    await pool.execute("UPDATE followups SET round = round + 1")
    await make_due(pool)
    await pushes.enqueue_due()
    assert [tuple(row) for row in await pool.fetch(reminders)][-1] == (
        "mia@example.com",
        "queued",
    )
    phone = await subscribe(visitor, push)
    saved = await visitor.post(
        visitor.url("settings_save"),
        {"time_zone": "UTC", "followup_timing": "next_morning", "reminders_by": "push"},
    )
    assert saved.status_code == 303
    async with running_mail_worker(app, mail) as worker:
        await worker.run_once()
    async with running_worker(app, push) as worker:
        await worker.run_once()
    assert mail.received == []
    assert [status for _, status in await pool.fetch(reminders)] == ["skipped", "skipped"]
    [reminder] = push.received_for(phone)
    assert json.loads(reminder.payload)["title"] == "Follow up with Dana Lee"


async def test_you_met_held_until_accepted_waits_for_the_recipients_morning(
    new_phone, pool, mail, app
):
    """Dana's card asks for details first. Mia left hers; Dana accepts while it is night where
    Mia lives: her "You met" goes at 09:00 her time, not now, and after mail someone waits
    for (a code)."""
    night = zone_where_it_is(day=False)
    dana = await new_phone()
    await dana.make_card()
    await dana.post(dana.url("share_ask_first"), {"ask_details_first": "on"})
    visitor = await new_phone()
    left = await visitor.post(
        await dana.share_link() + "/details",
        {"name": "Mia Chen", "email": "mia@example.com", "time_zone": night},
    )
    assert left.status_code == 303
    contact_id = await pool.fetchval("SELECT id FROM contacts WHERE owner_id = 1")
    accepted = await dana.post(dana.url("contact_accept", contact_id=contact_id), {})
    assert accepted.status_code == 303
    async with running_mail_worker(app, mail) as worker:
        await worker.run_once()
    assert mail.received_for("mia@example.com") == [], "not in her night"
    held = await pool.fetchrow(
        "SELECT waited_for, next_attempt_at > now() AS later,"
        " next_attempt_at < now() + interval '1 day' AS within_a_day,"
        " (next_attempt_at AT TIME ZONE $1)::time AS local FROM emails",
        night,
    )
    assert dict(held) == {
        "waited_for": False,
        "later": True,
        "within_a_day": True,
        "local": clock(9),
    }
    # Her morning comes.
    await pool.execute("UPDATE emails SET next_attempt_at = now()")
    sent = await sent_once(app, mail)
    assert sent.recipients == ("mia@example.com",) and sent.subject == "You met Dana Lee"
