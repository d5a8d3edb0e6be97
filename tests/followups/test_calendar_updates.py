"""The calendar file follows changes when it is added again: a snoozed follow-up moves (its
SEQUENCE grew, which is what a calendar checks before taking a re-imported entry), and one
done or turned off comes back cancelled, so its alarm no longer rings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event

from server.followups.calendar_file import build
from tests.phone import Phone, soup, text_of
from tests.reminders import swapped

SAYS = "add it again to update it"
MADE = datetime(2026, 12, 1, 12, 0, 0, 500_000, tzinfo=UTC)
DUE = MADE - timedelta(days=2)


async def danas_followup(pool) -> tuple[int, int]:
    """Dana's follow-up with Mia, met an hour ago: its id and her contact's."""
    row = await pool.fetchrow(
        "UPDATE followups f SET updated_at = now() - interval '1 hour'"
        " FROM cards c WHERE c.account_id = f.owner_id AND c.name = 'Dana Lee'"
        " RETURNING f.id, f.contact_id"
    )
    return row["id"], row["contact_id"]


async def entry(phone: Phone, followup_id: int) -> tuple[bytes, Event]:
    response = await phone.get(phone.url("followups_calendar"))
    assert response.status_code == 200
    events = Calendar.from_ical(response.content).walk("VEVENT")
    [event] = [e for e in events if str(e["uid"]) == f"followup-{followup_id}@reachout"]
    return response.content, event


def sequence(event: Event) -> int:
    return int(event["sequence"])


async def test_a_snoozed_follow_up_moves_with_a_higher_sequence(new_phone, pool):
    dana, _ = await swapped(new_phone)
    followup_id, contact_id = await danas_followup(pool)
    raw, before = await entry(dana, followup_id)
    assert b"\r\nMETHOD:PUBLISH\r\n" in raw
    snoozed = await dana.post(
        dana.url("followup_change", contact_id=contact_id), {"action": "snooze", "days": "7"}
    )
    assert snoozed.status_code == 303
    _, after = await entry(dana, followup_id)
    assert after.decoded("dtstart") > before.decoded("dtstart") + timedelta(days=5)
    assert sequence(after) > sequence(before)
    assert str(after["status"]) == "CONFIRMED" and after.walk("VALARM")


async def test_a_follow_up_done_comes_back_cancelled_and_undone_comes_back(new_phone, pool):
    dana, _ = await swapped(new_phone)
    followup_id, contact_id = await danas_followup(pool)
    _, before = await entry(dana, followup_id)
    change = dana.url("followup_change", contact_id=contact_id)
    assert (await dana.post(change, {"action": "done"})).status_code == 303
    # Done a minute ago (the file saved since, the undo only now): each test's requests share
    # one transaction, and so one now().
    await pool.execute(
        "UPDATE followups SET updated_at = updated_at - interval '1 minute' WHERE id = $1",
        followup_id,
    )
    _, done = await entry(dana, followup_id)
    assert str(done["status"]) == "CANCELLED"
    assert sequence(done) > sequence(before)
    assert done.walk("VALARM") == []  # nothing left to ring
    assert (await dana.post(change, {"action": "undo"})).status_code == 303
    _, undone = await entry(dana, followup_id)
    assert str(undone["status"]) == "CONFIRMED" and undone.walk("VALARM")
    assert sequence(undone) > sequence(done)


async def test_one_turned_off_comes_back_cancelled(new_phone, pool):
    dana, _ = await swapped(new_phone)
    followup_id, contact_id = await danas_followup(pool)
    _, before = await entry(dana, followup_id)
    change = dana.url("followup_change", contact_id=contact_id)
    assert (await dana.post(change, {"action": "off"})).status_code == 303
    _, off = await entry(dana, followup_id)
    assert str(off["status"]) == "CANCELLED"
    assert sequence(off) > sequence(before)


async def test_one_done_over_a_month_ago_is_left_out(new_phone, pool):
    dana, _ = await swapped(new_phone)
    followup_id, _ = await danas_followup(pool)
    await pool.execute(
        "UPDATE followups SET status = 'done', done_at = now() - interval '31 days',"
        " updated_at = now() - interval '31 days' WHERE id = $1",
        followup_id,
    )
    response = await dana.get(dana.url("followups_calendar"))
    assert Calendar.from_ical(response.content).walk("VEVENT") == []


def overdue_event(now: datetime, status: str = "open", updated_at: datetime = DUE) -> Event:
    item = {
        "id": 1,
        "contact_id": 2,
        "name": "Ana Silva",
        "due_at": DUE,
        "met_at": DUE,
        "status": status,
        "updated_at": updated_at,
    }
    body = build(
        [item],
        base_url="https://reachout.example",
        now=now,
        tz="UTC",
        contact_path=lambda contact_id: f"/contacts/{contact_id}",
    )
    [found] = Calendar.from_ical(body).walk("VEVENT")
    return found


def test_an_overdue_entry_moved_by_a_later_file_has_a_higher_sequence():
    first, later = overdue_event(MADE), overdue_event(MADE + timedelta(hours=2))
    assert later.decoded("dtstart") > first.decoded("dtstart")
    assert sequence(later) > sequence(first)


def test_an_overdue_entry_done_the_same_second_is_still_cancelled_above_it():
    # An overdue entry starts as its file is made: done a moment after, in the same second,
    # its cancellation still counts higher than that file's entry.
    before = overdue_event(MADE)
    done = overdue_event(
        MADE + timedelta(seconds=1), status="done", updated_at=MADE + timedelta(milliseconds=200)
    )
    assert str(done["status"]) == "CANCELLED"
    assert sequence(done) > sequence(before)


async def test_the_pages_with_add_to_calendar_say_to_add_it_again(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    link = await dana.share_link()
    # Someone with nothing leaves her details on Dana's card: the welcome page.
    mia = await new_phone()
    left = await mia.post(link + "/details", {"name": "Mia Chen", "email": "mia@example.com"})
    welcome = await mia.get(left.headers["location"])
    assert soup(welcome).find("a", string="Add to my calendar") is not None
    assert SAYS in text_of(welcome)
    followups = await dana.get(dana.url("followups"))
    assert soup(followups).find("a", string="Add to calendar") is not None
    assert SAYS in text_of(followups)
