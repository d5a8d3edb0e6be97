"""A guest typed on my phone offline at last night's event and synced this morning is met
when typed: at the event, then, with the follow-up timed from then, as a queued scan is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.phone import Phone, soup, text_of, words
from tests.swaps.test_sync import action, replay


def zone_where_it_is_noon(now: datetime) -> str:
    """A fixed-offset zone where ``now`` is about noon: 20 hours ago was 16:00 the day
    before there, so a "next morning" follow-up is this morning's, not tomorrow's."""
    offset = (12 - now.hour + 12) % 24 - 12  # hours east of UTC, -12 to 11
    # Etc/ zones name the offset with the sign turned round (Etc/GMT-3 is UTC+3).
    return f"Etc/GMT{'+' if offset < 0 else '-'}{abs(offset)}"


async def dana_at_last_nights_event(new_phone: Any, pool: Any) -> tuple[Phone, int, int]:
    """Dana's phone, in a zone where it is about noon; her account, and the Lunch & Learn
    she was at from 22 to 18 hours ago (over, grace and all, by now)."""
    dana: Phone = await new_phone()
    await dana.make_card()
    dana_id = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Dana Lee'")
    await pool.execute(
        "UPDATE accounts SET time_zone = $2 WHERE id = $1",
        dana_id,
        zone_where_it_is_noon(datetime.now(UTC)),
    )
    event_id = await pool.fetchval(
        """INSERT INTO events (organizer_id, name, join_code, starts_at, ends_at, time_zone)
           VALUES ($1, 'Lunch & Learn', 'ABCDEF', now() - interval '22 hours',
                   now() - interval '18 hours', 'UTC')
           RETURNING id""",
        dana_id,
    )
    await pool.execute(
        "INSERT INTO event_attendees (event_id, account_id, joined_at)"
        " VALUES ($1, $2, now() - interval '22 hours')",
        event_id,
        dana_id,
    )
    return dana, dana_id, event_id


async def test_a_guest_typed_offline_last_night_is_met_at_the_event_then(new_phone, pool):
    dana, dana_id, event_id = await dana_at_last_nights_event(new_phone, pool)
    typed = datetime.now(UTC) - timedelta(hours=20)
    guest = action(
        "guest", {"name": "Lou Park", "email": "lou@example.com"}, typed.timestamp() * 1000
    )
    answer = await replay(dana, guest)
    assert answer.json()["status"] == "done", answer.text

    page = await dana.get(answer.json()["url"])
    assert "Met at Lunch & Learn" in text_of(page), "the event we were both at, last night"
    met = soup(page).find("time")
    assert met is not None
    assert abs(datetime.fromisoformat(str(met["datetime"])) - typed) < timedelta(seconds=1)
    listed = soup(await dana.get(dana.url("contacts"))).select_one(".people li")
    assert listed is not None
    assert "Met at Lunch & Learn, 20 hours ago" in words(listed)

    rows = await pool.fetch(
        """SELECT c.owner_id, c.event_id, c.met_at, f.due_at,
                  followup_due(a.followup_timing, a.time_zone, $1) AS due_if_met_then,
                  followup_due(a.followup_timing, a.time_zone, now()) AS due_if_met_now
           FROM contacts c JOIN followups f ON f.contact_id = c.id
           JOIN accounts a ON a.id = c.owner_id""",
        typed,
    )
    assert len(rows) == 2
    for row in rows:
        # Both sides met then, Lou too (whose reminder reaches them by email).
        assert abs(row["met_at"] - typed) < timedelta(seconds=1)
        # Timed from the meeting, as contacts.connect times a queued scan's.
        assert row["due_at"] == row["due_if_met_then"]
    mine = next(row for row in rows if row["owner_id"] == dana_id)
    assert mine["event_id"] == event_id
    # This morning's reminder, not tomorrow's: the one for someone met at the sync.
    assert mine["due_at"] < mine["due_if_met_now"]


async def test_a_guest_typed_on_tap_online_is_met_now(new_phone, pool):
    """The live form is met now: last night's event is over, so no "Met at" it."""
    dana, _dana_id, _event_id = await dana_at_last_nights_event(new_phone, pool)
    typed = await dana.post(dana.url("tap_guest"), {"name": "Lou Park", "email": "lou@example.com"})
    assert typed.status_code == 303
    page = text_of(await dana.get(typed.headers["location"]))
    assert "Lou Park" in page and "Met at" not in page
    ago = await pool.fetchval("SELECT max(now() - met_at) FROM contacts")
    assert ago < timedelta(minutes=1)


async def test_the_release_before_still_makes_guests_with_its_call(new_phone, pool):
    """A process of the release before migration 0056, mid-deploy, calls join_with_details()
    with 13 arguments: it still finds one function (not two, "not unique"), met now."""
    _dana, dana_id, _event_id = await dana_at_last_nights_event(new_phone, pool)
    row = await pool.fetchrow(
        "SELECT * FROM join_with_details(NULL, $1, 'UTC', 'Lou Park', '', '', '', '', '', '',"
        " '', '', '')",
        dana_id,
    )
    assert row["sharer_contact"] is not None
    ago, event_id = await pool.fetchrow(
        "SELECT now() - met_at, event_id FROM contacts WHERE id = $1", row["sharer_contact"]
    )
    assert event_id is None
    assert ago < timedelta(minutes=1)
