"""Hundreds left overdue never crowd out the person just met: the Follow-ups page lists who is
coming up and says how many are due, and the calendar file has the new follow-up in it."""

from __future__ import annotations

import icalendar
import pytest

from server.followups import routes
from tests.phone import soup, text_of, words
from tests.reminders import swapped

OVERDUE = 510


async def leave_overdue(pool, owner_id: int, count: int) -> None:
    """``count`` people met two months ago and never followed up."""
    await pool.execute(
        """
        WITH g AS (INSERT INTO accounts (guest) SELECT true FROM generate_series(1, $2)
                   RETURNING id),
        c AS (INSERT INTO cards (account_id, name) SELECT id, 'Old ' || id FROM g
              RETURNING account_id),
        ct AS (INSERT INTO contacts (owner_id, contact_id, met_at)
               SELECT $1, account_id, now() - interval '60 days' FROM c RETURNING id)
        INSERT INTO followups (contact_id, owner_id, status, due_at)
        SELECT id, $1, 'open', now() - interval '59 days' + id * interval '1 minute' FROM ct
        """,
        owner_id,
        count,
    )


@pytest.fixture
async def dana_with_many_overdue(new_phone, pool):
    dana, _mia = await swapped(new_phone)
    dana_id = await pool.fetchval("SELECT account_id FROM cards WHERE name <> 'Mia Chen'")
    await leave_overdue(pool, dana_id, OVERDUE)
    return dana


async def oldest_and_latest_due(pool) -> tuple[str, str]:
    names = await pool.fetch(
        "SELECT c.name FROM followups f JOIN contacts ct ON ct.id = f.contact_id"
        " JOIN cards c ON c.account_id = ct.contact_id WHERE c.name LIKE 'Old %' ORDER BY f.due_at"
    )
    return names[0]["name"], names[-1]["name"]


async def test_the_list_shows_who_is_coming_up_and_how_many_are_due(dana_with_many_overdue, pool):
    page = await dana_with_many_overdue.get(dana_with_many_overdue.url("followups"))
    read = text_of(page)
    # Mia, met just now and due tomorrow, is still on the page.
    assert "Coming up" in read and "Mia Chen" in read
    # The heading counts everyone due, not how many fit on the page.
    assert f"Reach out now ({OVERDUE})" in read
    not_shown = OVERDUE - routes.DUE_SHOWN
    assert f"{not_shown} more have waited longer" in words(soup(page).find(id="due-not-shown"))
    # The ones shown are those due most recently: the oldest are the ones left out.
    oldest, latest = await oldest_and_latest_due(pool)
    assert f"{oldest} " not in read and f"{latest} " in read


async def test_the_calendar_file_has_the_person_just_met_and_the_latest_overdue(
    dana_with_many_overdue, pool
):
    response = await dana_with_many_overdue.get(dana_with_many_overdue.url("followups_calendar"))
    assert response.status_code == 200
    events = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    summaries = [str(event["summary"]) for event in events]
    assert "Follow up with Mia Chen" in summaries
    overdue = [summary for summary in summaries if summary != "Follow up with Mia Chen"]
    assert len(overdue) == routes.CALENDAR_OVERDUE
    # The most recently due of them.
    oldest, latest = await oldest_and_latest_due(pool)
    assert f"Follow up with {latest}" in overdue and f"Follow up with {oldest}" not in overdue


async def test_a_short_list_says_nothing_of_more(new_phone):
    dana, _mia = await swapped(new_phone)
    read = text_of(await dana.get(dana.url("followups")))
    assert "Mia Chen" in read and "more" not in read
