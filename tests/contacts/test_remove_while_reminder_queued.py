"""Mia removes Dana at the moment a worker (another process) is queueing the reminders about
them, then taps Undo: the reminders still come. Remove used to keep, for Undo, the follow-ups
as the worker left them (queued) but not the pushes it had just queued, which went with the
contact: after Undo both follow-ups counted as reminded, and nobody was."""

from __future__ import annotations

import asyncio

from server.followups.worker import REMINDERS_EACH_DAY, SUMMARY_GAP
from tests.contacts.test_take_back import button_form, contact_of
from tests.phone import soup
from tests.reminders import make_due, running_worker, subscribe, swapped


async def test_undo_of_a_remove_made_while_reminders_were_queued_reminds(
    new_phone, pool, push, app
):
    dana, mia = await swapped(new_phone)
    dana_phone = await subscribe(dana, push)
    mia_phone = await subscribe(mia, push)
    await make_due(pool)
    sql = app.state.sql
    page = await mia.get(mia.url("contact", contact_id=await contact_of(pool, 2)))
    remove = button_form(page, f"Remove {soup(page).h1.get_text(strip=True)}")
    async with pool.acquire() as worker, worker.transaction():
        # The worker's batch, statement by statement, as Worker.enqueue_due runs it.
        due = await sql.run(worker, "deliveries.take_due", limit=100)
        assert len(due) == 2
        owners = sorted({row["owner_id"] for row in due})
        await sql.run(worker, "deliveries.lock_owners", owners=owners)
        await sql.run(worker, "deliveries.lock_waiting_summaries", owners=owners)
        await sql.run(
            worker,
            "deliveries.enqueue_taken",
            ids=[row["id"] for row in due],
            each_day=REMINDERS_EACH_DAY,
            summary_gap_seconds=SUMMARY_GAP,
        )
        # Mia taps Remove before that batch commits.
        removing = asyncio.create_task(mia.post(remove["action"]))
        await asyncio.sleep(0.5)
    removed = await removing
    assert removed.status_code == 303
    listing = await mia.get(removed.headers["location"])
    assert (await mia.post(button_form(listing, "Undo")["action"])).status_code == 303
    async with running_worker(app, push) as reminders:
        await reminders.run_once()
    assert len(push.received_for(mia_phone)) == 1, "Mia is reminded of Dana"
    assert len(push.received_for(dana_phone)) == 1, "and Dana of Mia"
