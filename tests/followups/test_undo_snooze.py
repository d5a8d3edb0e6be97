"""Undo after a snooze (a "Tomorrow" tapped by mistake on a crowded list): on a row's line
and on the contact page, Undo puts back the follow-up's due time, round and snoozed state,
signed in the form; only while it is still as that snooze left it (409 otherwise). With the
worker: a reminder that already went is not sent again, one not yet due is sent once when it
falls due, and one that came up while it was snoozed is not lost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.followups.test_row_actions import dana_contact, form_of, row_of
from tests.followups.test_worker import deliveries
from tests.phone import Phone, soup, text_of, words
from tests.reminders import make_due, next_morning, running_worker, subscribe, swapped

STATE = "SELECT status, due_at, round, snoozed, queued_round FROM followups WHERE owner_id = 1"


async def tomorrow_on_the_row(phone: Phone, name: str = "Mia Chen"):
    """Tomorrow on the row of ``name`` on Follow-ups: the line it leaves."""
    action, fields = form_of(await row_of(phone, name), f"Tomorrow, {name}")
    snoozed = await phone.post(action, fields, htmx=True)
    assert snoozed.status_code == 200
    return soup(snoozed).select_one("li")


async def undo_on(dana: Phone, part, label: str = "Undo snooze, Mia Chen", htmx: bool = True):
    action, fields = form_of(part, label)
    return await dana.post(action, fields, htmx=htmx)


async def test_tomorrow_on_a_row_offers_undo_which_puts_it_back_as_it_was(new_phone, pool):
    dana, _ = await swapped(new_phone)
    await make_due(pool)
    before = tuple(await pool.fetchrow(STATE))
    line = await tomorrow_on_the_row(dana)
    assert words(line) == f"Mia Chen: snoozed until {next_morning()} at 09:00. Undo"
    [undo] = line.find_all("button")
    # Named with what it undoes and whom; read with the new time.
    assert undo["aria-label"] == "Undo snooze, Mia Chen"
    said = line.find(id=undo["aria-describedby"])
    assert words(said) == f"Mia Chen: snoozed until {next_morning()} at 09:00."
    # Tomorrow's focus goes to it; #flash says what its Undo did.
    row = await row_of(dana, "Mia Chen")  # a new round: the list shows her coming up
    [tomorrow] = row.find_all("button", attrs={"aria-label": "Tomorrow, Mia Chen"})
    assert tomorrow["data-then-focus"] == undo["id"]
    assert undo.find_parent("form")["data-sent"] == "Snooze undone: Mia Chen, due now."
    assert tuple(await pool.fetchrow(STATE)) != before

    back = await undo_on(dana, line)
    assert back.status_code == 200
    row = soup(back).select_one("li")
    assert "Due now" in words(row)
    assert [b.get_text(strip=True) for b in row.find_all("button")] == ["Done", "Tomorrow"]
    # Due when it was, in the same round, not marked snoozed.
    assert tuple(await pool.fetchrow(STATE)) == before
    page = text_of(await dana.get(dana.url("followups")))
    assert "Reach out now (1)" in page and "Coming up" not in page

    # Tapped again (a second tap, a replayed request): nothing changes, and it says so.
    again = await undo_on(dana, line)
    assert again.status_code == 409
    assert words(soup(again).select_one("li")) == (
        "Mia Chen: snoozed again or reminded since, so nothing changed."
    )
    assert tuple(await pool.fetchrow(STATE)) == before


async def test_undo_after_the_reminder_went_does_not_send_it_again(new_phone, pool, push, app):
    dana, _ = await swapped(new_phone)
    device = await subscribe(dana, push)
    await make_due(pool)
    async with running_worker(app, push) as worker:
        assert await worker.run_once() == 1
        before = tuple(await pool.fetchrow(STATE))
        line = await tomorrow_on_the_row(dana)
        assert (await undo_on(dana, line)).status_code == 200
        assert tuple(await pool.fetchrow(STATE)) == before
        assert await worker.run_once() == 0
        assert await worker.run_once() == 0
    assert len(push.received_for(device)) == 1
    assert await deliveries(pool) == [("sent", 1)]


async def test_undo_before_any_reminder_leaves_it_due_as_before(new_phone, pool, push, app):
    """Due in two days, snoozed to tomorrow by mistake and undone: reminded once, when it
    falls due, not tomorrow, and not twice."""
    dana, _ = await swapped(new_phone)
    device = await subscribe(dana, push)
    await pool.execute("UPDATE followups SET due_at = now() + interval '2 days'")
    before = tuple(await pool.fetchrow(STATE))
    line = await tomorrow_on_the_row(dana)
    assert (await undo_on(dana, line)).status_code == 200
    assert tuple(await pool.fetchrow(STATE)) == before
    async with running_worker(app, push) as worker:
        assert await worker.run_once() == 0
        assert push.received_for(device) == []
        await make_due(pool)  # the two days pass
        assert await worker.run_once() == 1
        assert await worker.run_once() == 0
    [message] = push.received_for(device)
    assert message.json()["title"] == "Follow up with Mia Chen"


async def test_a_reminder_that_came_up_while_snoozed_goes_once_after_undo(
    new_phone, pool, push, app
):
    """Queued (held for a retry, or for her morning) when Tomorrow was tapped, it came up
    while snoozed and was skipped: Undo, seconds later, sends it after all, once."""
    dana, _ = await swapped(new_phone)
    device = await subscribe(dana, push)
    await make_due(pool)
    async with running_worker(app, push) as worker:
        await worker.enqueue_due()
        line = await tomorrow_on_the_row(dana)
        await worker.run_once()
        assert push.received_for(device) == []
        assert await deliveries(pool) == [("skipped", 1)]
        assert (await undo_on(dana, line)).status_code == 200
        assert await worker.run_once() == 1
        assert await worker.run_once() == 0
    assert len(push.received_for(device)) == 1
    assert await deliveries(pool) == [("sent", 1)]


async def test_undo_changes_nothing_once_reminded_snoozed_again_or_done(new_phone, pool, push, app):
    dana, _ = await swapped(new_phone)
    device = await subscribe(dana, push)
    contact_id = await dana_contact(pool)
    await make_due(pool)

    # Reminded in the snooze's round: the old time back would remind her again at once.
    line = await tomorrow_on_the_row(dana)
    await make_due(pool)
    async with running_worker(app, push) as worker:
        assert await worker.run_once() == 1
        after = tuple(await pool.fetchrow(STATE))
        refused = await undo_on(dana, line)
        assert refused.status_code == 409
        assert "snoozed again or reminded since" in words(soup(refused).select_one("li"))
        assert tuple(await pool.fetchrow(STATE)) == after
        assert await worker.run_once() == 0
    assert len(push.received_for(device)) == 1

    # Snoozed again (a week, on her page): the first Undo would undo the wrong snooze.
    line = await tomorrow_on_the_row(dana)
    page = dana.url("followup_change", contact_id=contact_id)
    assert (await dana.post(page, {"action": "snooze", "days": "7"})).status_code == 303
    after = tuple(await pool.fetchrow(STATE))
    assert (await undo_on(dana, line)).status_code == 409
    assert tuple(await pool.fetchrow(STATE)) == after

    # Done since (from the reminder's email, say): it stays done.
    await make_due(pool)
    line = await tomorrow_on_the_row(dana)
    await pool.execute("UPDATE followups SET status = 'done', done_at = now()")
    after = tuple(await pool.fetchrow(STATE))
    refused = await undo_on(dana, line)
    assert refused.status_code == 409
    assert words(soup(refused).select_one("li")) == "Mia Chen: already done, so nothing changed."
    assert tuple(await pool.fetchrow(STATE)) == after


async def test_an_undo_not_signed_for_this_follow_up_is_refused(new_phone, pool):
    dana, mia = await swapped(new_phone)
    await make_due(pool)
    before = tuple(await pool.fetchrow(STATE))
    line = await tomorrow_on_the_row(dana)
    snoozed = tuple(await pool.fetchrow(STATE))
    action, fields = form_of(line, "Undo snooze, Mia Chen")
    # An earlier time put in by hand: the signature no longer matches.
    round_, until, was_due, was_snoozed, signature = fields["snooze"].split(".")
    earlier = int(was_due) - 86_400_000_000
    forged = {**fields, "snooze": f"{round_}.{until}.{earlier}.{was_snoozed}.{signature}"}
    for form in (forged, {**fields, "snooze": "nonsense"}, {**fields, "snooze": ""}):
        refused = await dana.post(action, form, htmx=True)
        assert refused.status_code == 403
        assert "That Undo is not valid" in refused.text
    assert tuple(await pool.fetchrow(STATE)) == snoozed
    # Mia's Undo of her own follow-up is no good for Dana's, nor is Dana's in Mia's hands.
    mias_line = await tomorrow_on_the_row(mia, "Dana Lee")
    _, mias_fields = form_of(mias_line, "Undo snooze, Dana Lee")
    refused = await dana.post(action, {**fields, "snooze": mias_fields["snooze"]}, htmx=True)
    assert refused.status_code == 403
    assert (await mia.post(action, fields, htmx=True)).status_code == 404
    assert tuple(await pool.fetchrow(STATE)) == snoozed
    assert (await undo_on(dana, line)).status_code == 200
    assert tuple(await pool.fetchrow(STATE)) == before


async def test_without_javascript_an_undo_comes_back_to_the_list_saying_what_it_did(
    new_phone, pool
):
    dana, _ = await swapped(new_phone)
    await make_due(pool)
    before = tuple(await pool.fetchrow(STATE))
    line = await tomorrow_on_the_row(dana)
    done = await undo_on(dana, line, htmx=False)
    assert done.status_code == 303
    page = await dana.get(done.headers["location"])
    assert words(soup(page).select_one("[data-notice]")) == "Mia Chen: snooze undone."
    assert tuple(await pool.fetchrow(STATE)) == before
    again = await undo_on(dana, line, htmx=False)
    page = await dana.get(again.headers["location"])
    assert words(soup(page).select_one("[data-notice]")) == (
        "Mia Chen: done, snoozed again or reminded since, so nothing changed."
    )


async def test_a_snooze_on_the_contact_page_offers_undo_too(new_phone, pool):
    dana, _ = await swapped(new_phone)
    await make_due(pool)
    before = tuple(await pool.fetchrow(STATE))
    page = dana.url("followup_change", contact_id=await dana_contact(pool))
    snoozed = await dana.post(page, {"action": "snooze", "days": "3"}, htmx=True)
    assert snoozed.status_code == 200
    section = soup(snoozed).select_one("section#followup")
    [undo] = section.find_all("button", attrs={"aria-label": "Undo snooze"})
    assert undo.get_text(strip=True) == "Undo"
    described = words(section.find(id=undo["aria-describedby"]))
    assert described.startswith("Snoozed until ") and described.endswith(" at 09:00.")
    assert undo.find_parent("form")["data-sent"] == "Snooze undone: due now."
    # Each snooze button's focus goes on to it.
    for button in section.find_all("button", attrs={"name": "days"}):
        assert button["data-then-focus"] == undo["id"]
    due = await pool.fetchval("SELECT due_at FROM followups WHERE owner_id = 1")
    assert timedelta(days=2) < due - datetime.now(UTC) < timedelta(days=4)

    back = await undo_on(dana, section, "Undo snooze")
    assert back.status_code == 200
    section = soup(back).select_one("section#followup")
    assert words(section.find(id="followup-undone")) == "Snooze undone."
    assert "Due now" in words(section)
    assert section.find("button", attrs={"aria-label": "Undo snooze"}) is None
    assert tuple(await pool.fetchrow(STATE)) == before

    again = await undo_on(dana, soup(snoozed).select_one("section#followup"), "Undo snooze")
    assert again.status_code == 409
    said = words(soup(again).find(id="followup-undone"))
    assert said == "Nothing changed: this follow-up was snoozed again or reminded since."
    plain = await undo_on(dana, soup(snoozed).select_one("section#followup"), "Undo snooze", False)
    assert plain.status_code == 409
    assert tuple(await pool.fetchrow(STATE)) == before

    # A date picked works the same way.
    day = (datetime.now(UTC) + timedelta(days=10)).date().isoformat()
    dated = soup(await dana.post(page, {"action": "snooze", "date": day}, htmx=True))
    assert (await undo_on(dana, dated, "Undo snooze")).status_code == 200
    assert tuple(await pool.fetchrow(STATE)) == before

    # "Remind me tomorrow" on one done is no snooze to undo: Mark done is right there.
    await dana.post(page, {"action": "done"})
    reopened = soup(await dana.post(page, {"action": "snooze", "days": "1"}, htmx=True))
    assert reopened.find("button", attrs={"aria-label": "Undo snooze"}) is None
