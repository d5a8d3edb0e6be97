"""My export when the organizer removed me from an event: the requests to connect I had made
there that my removal withdrew read "withdrawn", as if I had withdrawn them, where the app
tells me "You were removed from this event" and shows them in "Sent by you" no more."""

from __future__ import annotations

from bs4 import Tag

from tests.events.test_routes import attendee, join_code, organizer_with_event
from tests.export.test_export_truthful_states import everything
from tests.phone import soup


async def test_requests_my_removal_withdrew_export_as_removed_from_the_event(new_phone, pool):
    """Ana asks Ben, Cy, Dee and Eve at Olga's event, and Fay at Pia's. Ben accepts, Cy
    declines (silently), Ana withdraws hers to Dee. Olga removes Ana. Her export says she was
    removed from the event for Cy's and Eve's, alike (Cy's decline nowhere), Dee's she
    withdrew, Ben's accepted, and Fay's, at the other event, is sent."""
    olga, event_id = await organizer_with_event(new_phone)
    ana = await attendee(new_phone, pool, event_id, "Ana Silva")
    people = {}
    for name in ("Ben Ode", "Cy Park", "Dee Moss", "Eve Hart"):
        people[name] = await attendee(new_phone, pool, event_id, name)
    _, other_event_id = await organizer_with_event(new_phone, name="Design Meetup")
    await attendee(new_phone, pool, other_event_id, "Fay Lin")
    joined = await ana.post(
        ana.url("join_event_submit", code=await join_code(pool, other_event_id)),
        {"listed": "on"},
    )
    assert joined.status_code == 303
    ids = dict(await pool.fetch("SELECT name, account_id FROM cards"))
    for name in people:
        asked = await ana.post(ana.url("request_connect", event_id=event_id, account_id=ids[name]))
        assert asked.status_code == 303, asked.text
    asked = await ana.post(
        ana.url("request_connect", event_id=other_event_id, account_id=ids["Fay Lin"])
    )
    assert asked.status_code == 303, asked.text
    for name, decision in (("Ben Ode", "accept"), ("Cy Park", "decline")):
        request_id = await pool.fetchval(
            "SELECT id FROM connect_requests WHERE to_id = $1", ids[name]
        )
        them = people[name]
        decided = await them.post(
            them.url("request_decide", request_id=request_id, decision=decision)
        )
        assert decided.status_code == 303
    withdraw = soup(await ana.get(ana.url("requests"))).select_one(
        "#sent-list form:has(button[aria-label='Withdraw your request to Dee Moss'])"
    )
    assert isinstance(withdraw, Tag)
    assert (await ana.post(str(withdraw["action"]))).status_code == 303
    removed = await olga.post(
        olga.url("event_remove_attendee", event_id=event_id, account_id=ids["Ana Silva"]), {}
    )
    assert removed.status_code == 303

    # What the app shows her: the event closed to her, said so, and in "Sent by you" only
    # Fay's, waiting at the other event.
    page = await ana.get(ana.url("event", event_id=event_id))
    assert soup(page).h1.get_text(strip=True) == "You were removed from this event"
    sent_by_you = soup(await ana.get(ana.url("requests"))).select("#sent-list .name")
    assert [name.get_text(strip=True) for name in sent_by_you] == ["Fay Lin"]

    sent = {row.pop("name"): row for row in (await everything(ana))["requests"]["sent"]}
    said = {name: (row["status"], row["withdrawn_at"] is not None) for name, row in sent.items()}
    assert said == {
        "Ben Ode": ("accepted", False),
        "Cy Park": ("removed_from_event", False),
        "Dee Moss": ("withdrawn", True),
        "Eve Hart": ("removed_from_event", False),
        "Fay Lin": ("sent", False),
    }
    # Cy's and Eve's read the same but for when each was made: nothing tells Cy declined.
    for row in sent.values():
        row.pop("created_at")
    assert sent["Cy Park"] == sent["Eve Hart"]
    # And the event itself says she was removed, not only that she left: the other one not.
    attended = {row["name"]: row for row in (await everything(ana))["events"]["attended"]}
    assert attended["Design Meetup"]["removed_at"] is None
    removed_from = [row for name, row in attended.items() if name != "Design Meetup"]
    assert len(removed_from) == 1
    assert removed_from[0]["removed_at"] is not None
    assert removed_from[0]["removed_at"] == removed_from[0]["left_at"]
