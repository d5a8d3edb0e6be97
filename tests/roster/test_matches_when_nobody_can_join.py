"""The "Who can help you" page with nobody matching: "look again later" only while people can join.

The list stays open for a while after the end (ROSTER_DAYS), long after the code stops
working (joining.CLOSES_AFTER), and an organizer may close an event at any time."""

from __future__ import annotations

from tests.events.test_routes import attendee, organizer_with_event
from tests.phone import soup

JOIN_LATER = "New people join all the time"


async def empty_state(phone, event_id: int) -> str:
    page = await phone.get(phone.url("event_matches", event_id=event_id))
    assert page.status_code == 200
    helps_me = soup(page).find("h2", string="People who can help you")
    return helps_me.find_next("p").get_text(" ", strip=True)


async def test_no_matches_says_people_may_still_join_only_while_they_can(new_phone, pool):
    _, event_id = await organizer_with_event(new_phone)
    ana = await attendee(
        new_phone, pool, event_id, "Ana Silva", looking_for="A sailing crew", can_help_with=""
    )
    said = await empty_state(ana, event_id)
    assert said.startswith("Nobody here matches yet.") and JOIN_LATER in said

    # Over three days ago: nobody can join any more, and the list is still open.
    await pool.execute(
        "UPDATE events SET starts_at = now() - interval '4 days',"
        " ends_at = now() - interval '3 days'"
    )
    said = await empty_state(ana, event_id)
    assert JOIN_LATER not in said and "look again later" not in said
    assert said == "Nobody here matches. Nobody new can join this event any more."

    # Closed by its organizer while it runs: the same.
    await pool.execute(
        "UPDATE events SET starts_at = now() - interval '1 hour',"
        " ends_at = now() + interval '1 hour', closed_at = now()"
    )
    said = await empty_state(ana, event_id)
    assert said == "Nobody here matches. Nobody new can join this event any more."
