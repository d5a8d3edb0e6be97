"""Undo after the other person swapped again within the window, and Undo of a removal that
caught a reminder on its way out: what the removed rows held comes back onto the new ones, and
nothing goes out twice."""

from __future__ import annotations

from typing import Any

from tests.contacts.test_take_back import button_form, contact_of, remove
from tests.events.test_routes import organizer_with_event
from tests.mailing import confirm_addresses, running_mail_worker
from tests.phone import soup, text_of
from tests.reminders import make_due, running_worker, subscribe, swapped

# What a person sees of their contact row and follow-up, by owner.
KEPT = """
    SELECT ct.owner_id, ct.met_at, ct.event_id, ct.note, ct.promised, ct.they_asked,
           ct.sharing, f.status, f.due_at, f.round, f.snoozed, f.done_at
    FROM contacts ct JOIN followups f ON f.contact_id = ct.id
    ORDER BY ct.owner_id
"""


def fields(page: Any) -> tuple[str, str]:
    """What the contact page's "I promised them" and "They asked me for" hold."""
    return tuple(  # type: ignore[return-value]
        soup(page).select_one(f"input[name={name}]")["value"] for name in ("promised", "they_asked")
    )


async def kept(pool: Any) -> dict[int, dict[str, Any]]:
    return {row["owner_id"]: dict(row) for row in await pool.fetch(KEPT)}


async def test_undo_after_they_swapped_again_brings_back_notes_meeting_and_follow_ups(
    new_phone, pool
):
    """Mia removes Dana by mistake; Dana, seeing the card vanish, swaps again at once; Mia
    taps Undo. Both keep what they wrote, where and when they first met, and their
    follow-ups as they left them (Mia's done, Dana's turned off), not fresh ones."""
    dana, mia = await swapped(new_phone)
    _olga, event_id = await organizer_with_event(new_phone)
    dana_contact, mia_contact = await contact_of(pool, 1), await contact_of(pool, 2)
    await pool.execute(
        "UPDATE contacts SET met_at = now() - interval '2 days', event_id = $1", event_id
    )
    await pool.execute("UPDATE followups SET due_at = now() + interval '3 hours'")
    await mia.post(mia.url("contact_note", contact_id=mia_contact), {"note": "Fashion recruiters"})
    await mia.post(
        mia.url("contact_give_get", contact_id=mia_contact),
        {"promised": "Intro to Sam at Loom", "they_asked": "Portfolio review"},
    )
    await mia.post(mia.url("followup_change", contact_id=mia_contact), {"action": "done"})
    await dana.post(dana.url("contact_note", contact_id=dana_contact), {"note": "Coffee line"})
    await dana.post(
        dana.url("contact_give_get", contact_id=dana_contact),
        {"promised": "Send the job post", "they_asked": ""},
    )
    await dana.post(dana.url("followup_change", contact_id=dana_contact), {"action": "off"})
    await dana.post(dana.url("contact_sharing", contact_id=dana_contact), {"sharing": "basics"})
    before = await kept(pool)
    assert before[2]["note"] == "Fashion recruiters" and before[2]["status"] == "done"
    assert before[1]["promised"] == "Send the job post" and before[1]["status"] == "off"

    listing = await remove(mia, mia_contact)
    undo = button_form(await mia.get(listing), "Undo")["action"]
    # Within the window, Dana swaps again on Mia's link, and writes a new note at once.
    again = await dana.post(await mia.share_link() + "/swap")
    assert again.status_code == 303
    dana_new = await contact_of(pool, 1)
    assert dana_new != dana_contact
    await dana.post(dana.url("contact_note", contact_id=dana_new), {"note": "Asked about Loom"})

    restored = await mia.post(undo)
    assert restored.status_code == 303
    page = await mia.get(restored.headers["location"])
    assert "Dana Lee is back in your contacts" in text_of(page)
    assert "Fashion recruiters" in text_of(page)
    assert fields(page) == ("Intro to Sam at Loom", "Portfolio review")
    dana_page = await dana.get(dana.url("contact", contact_id=dana_new))
    # Her new note stays (it was written after); what the new row had none of comes back.
    assert "Asked about Loom" in text_of(dana_page)
    assert fields(dana_page) == ("Send the job post", "")

    after = await kept(pool)
    assert await pool.fetchval("SELECT count(*) FROM contacts") == 2
    assert await pool.fetchval("SELECT count(*) FROM followups") == 2
    assert after[1] == {**before[1], "note": "Asked about Loom"}
    assert after[2] == before[2]
    # Mia's follow-ups page does not ask her again about someone she already followed up.
    assert "Dana Lee" not in text_of(await mia.get(mia.url("followups")))


async def test_undo_does_not_send_again_a_reminder_that_was_going_out_at_the_removal(
    new_phone, pool, push, mail, app
):
    """A worker is sending Dana's reminder (push and email) when Mia removes her; Mia taps
    Undo. The reminder went once: when that worker's lease runs out, nothing takes it over
    and sends it a second time."""
    dana, mia = await swapped(new_phone)
    device = await subscribe(dana, push)
    await confirm_addresses(pool, "dana@example.com", "mia@example.com")
    await pool.execute("UPDATE accounts SET reminders_by = 'both'")
    await make_due(pool)
    async with running_worker(app, push) as worker:
        await worker.enqueue_due()
    # Claimed by a worker that is sending them now (its lease still runs).
    for claim in (
        "UPDATE deliveries SET status = 'sending', attempts = 1, leased_by = 'elsewhere',"
        " lease_until = now() + interval '20 seconds'",
        "UPDATE emails SET status = 'sending', attempts = 1, leased_by = 'elsewhere',"
        " lease_until = now() + interval '20 seconds'",
    ):
        assert await pool.execute(claim) != "UPDATE 0", claim

    listing = await remove(mia, await contact_of(pool, 2))
    restored = await mia.post(button_form(await mia.get(listing), "Undo")["action"])
    assert restored.status_code == 303
    assert await pool.fetchval("SELECT count(*) FROM deliveries") == 1
    assert await pool.fetchval("SELECT count(*) FROM emails") == 2

    # That worker's lease runs out (it finished, but its "sent" found no row to mark).
    await pool.execute("UPDATE deliveries SET lease_until = now() - interval '1 second'")
    await pool.execute("UPDATE emails SET lease_until = now() - interval '1 second'")
    # Short leases: run-out ones are held back for a lease's length after PostgreSQL starts,
    # and the test database started moments ago.
    async with running_worker(app, push, lease_seconds=2) as worker:
        assert await worker.run_once() == 0
    async with running_mail_worker(app, mail, lease_seconds=2) as mailer:
        assert await mailer.run_once() == 0
    assert push.received_for(device) == []
    assert await pool.fetchval("SELECT array_agg(DISTINCT status) FROM deliveries") == ["sent"]
    assert await pool.fetchval("SELECT array_agg(DISTINCT status) FROM emails") == ["sent"]
