"""A follow-up that went with its contact (the other person removed or blocked me, or deleted
their account) comes back cancelled in the calendar file, under the same UID and a higher
SEQUENCE, with no name: a calendar that imported it drops it and its alarm once the file is
added again. An Undo that brings it back wins, and retention forgets it after 30 days."""

from __future__ import annotations

from typing import Any

from icalendar import Calendar, Event

from server.privacy.retention import Retention
from tests.contacts.test_take_back import button_form, contact_of, remove
from tests.followups.test_calendar_updates import danas_followup, entry, sequence
from tests.phone import Phone
from tests.reminders import swapped


def uid(followup_id: int) -> str:
    return f"followup-{followup_id}@reachout"


async def uids(phone: Phone) -> list[str]:
    response = await phone.get(phone.url("followups_calendar"))
    assert response.status_code == 200
    return [str(e["uid"]) for e in Calendar.from_ical(response.content).walk("VEVENT")]


async def cancelled_after(dana: Phone, followup_id: int, before: Event) -> None:
    """Dana adds the file again: her follow-up with Mia is cancelled, nothing left to ring, and
    Mia's name is in it no more."""
    raw, gone = await entry(dana, followup_id)
    assert str(gone["status"]) == "CANCELLED"
    assert sequence(gone) > sequence(before), "a calendar would keep the open one"
    assert gone.walk("VALARM") == []
    assert str(gone["summary"]) == "Cancelled follow-up"
    assert b"Mia Chen" not in raw


async def test_when_she_removes_me_my_calendar_cancels_the_follow_up(new_phone, pool):
    dana, mia = await swapped(new_phone)
    followup_id, _ = await danas_followup(pool)
    _, before = await entry(dana, followup_id)
    assert str(before["status"]) == "CONFIRMED" and "Mia Chen" in str(before["summary"])
    await remove(mia, await contact_of(pool, 2))
    # Her Undo ran out: gone for good.
    await pool.execute("UPDATE contact_removals SET undo_until = now() - interval '1 s'")
    await cancelled_after(dana, followup_id, before)


async def test_when_she_blocks_me_my_calendar_cancels_the_follow_up(new_phone, pool):
    dana, mia = await swapped(new_phone)
    followup_id, _ = await danas_followup(pool)
    _, before = await entry(dana, followup_id)
    blocked = await mia.post(mia.url("contact_block", contact_id=await contact_of(pool, 2)))
    assert blocked.status_code == 303
    await cancelled_after(dana, followup_id, before)


async def test_when_she_deletes_her_account_my_calendar_cancels_the_follow_up(new_phone, pool):
    # No address on her card: typing "delete" is all it asks.
    dana, mia = await swapped(new_phone, mia={"email": ""})
    followup_id, _ = await danas_followup(pool)
    _, before = await entry(dana, followup_id)
    gone = await mia.post(mia.url("delete_account_confirm"), {"confirm": "delete"})
    assert gone.status_code == 303
    assert await pool.fetchval("SELECT count(*) FROM cards WHERE name = 'Mia Chen'") == 0
    await cancelled_after(dana, followup_id, before)


async def test_my_own_account_deleted_takes_what_was_kept_for_my_calendar(new_phone, pool):
    _dana, mia = await swapped(new_phone)
    await remove(mia, await contact_of(pool, 2))
    assert await pool.fetchval("SELECT count(*) FROM gone_followups") == 2, "one for each side"
    assert await pool.fetchval(
        "SELECT delete_account(account_id) FROM cards WHERE name = 'Dana Lee'"
    )
    owners = await pool.fetch("SELECT owner_id FROM gone_followups")
    assert [row["owner_id"] for row in owners] == [2], "Mia's is hers; Dana's went with her"


async def test_after_my_remove_and_undo_the_entry_is_open_again(new_phone, pool):
    dana, _mia = await swapped(new_phone)
    followup_id, _ = await danas_followup(pool)
    _, before = await entry(dana, followup_id)
    listing = await remove(dana, await contact_of(pool, 1))
    # The file saved while it was removed cancels it...
    _, removed = await entry(dana, followup_id)
    assert str(removed["status"]) == "CANCELLED" and sequence(removed) > sequence(before)
    # ...and Undo puts it back, open, above that cancellation, with its alarm.
    undone = await dana.post(button_form(await dana.get(listing), "Undo")["action"])
    assert undone.status_code == 303
    _, back = await entry(dana, followup_id)
    assert str(back["status"]) == "CONFIRMED" and back.walk("VALARM")
    assert "Mia Chen" in str(back["summary"])
    assert sequence(back) > sequence(removed)


async def test_retention_forgets_them_after_30_days(new_phone, pool, app: Any):
    dana, mia = await swapped(new_phone)
    followup_id, _ = await danas_followup(pool)
    await remove(mia, await contact_of(pool, 2))
    assert uid(followup_id) in await uids(dana)
    # Another, gone 29 days ago: still cancelled in the file, and kept.
    await pool.execute(
        "INSERT INTO gone_followups (followup_id, owner_id, due_at, gone_at)"
        " SELECT 999999, owner_id, due_at, now() - interval '29 days' FROM gone_followups"
        " WHERE followup_id = $1",
        followup_id,
    )
    await pool.execute(
        "UPDATE gone_followups SET gone_at = now() - interval '31 days' WHERE followup_id = $1",
        followup_id,
    )
    assert await uids(dana) == [uid(999999)], "the file stops cancelling it after 30 days"
    await Retention(pool, app.state.sql, app.state.settings).run_once()
    kept = {row["followup_id"] for row in await pool.fetch("SELECT * FROM gone_followups")}
    assert followup_id not in kept and 999999 in kept
