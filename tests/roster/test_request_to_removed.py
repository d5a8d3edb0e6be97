"""Ana asked Ben to connect; the organizer then removed Ben from the event, which withdrew her
request (events.remove_attendee: he must not get her details by accepting it). It went from
her "Sent by you" as if she had withdrawn it herself. Now it stays there, saying he is no
longer at the event, with no Withdraw; one he had declined (silently) reads the same, or
what stayed would tell her of the decline. One she withdrew herself is gone, as before."""

from __future__ import annotations

from tests.events.test_routes import attendee, organizer_with_event
from tests.phone import soup, words

GONE = "No longer at this event, so your request can't be answered"


async def sent_by_you(phone) -> dict[str, tuple[str, list[str]]]:  # type: ignore[no-untyped-def]
    """ "Sent by you" on Requests, as read: each name, its row's words, and its buttons."""
    listed = soup(await phone.get(phone.url("requests"))).select_one("#sent-list")
    if listed is None:
        return {}
    return {
        words(li.select_one(".name")): (
            words(li),
            [b.get("aria-label", b.get_text()) for b in li.select("button")],
        )
        for li in listed.select("li")
    }


async def test_a_request_to_someone_removed_stays_in_sent_by_you_said_so(new_phone, pool):
    olga, event_id = await organizer_with_event(new_phone)
    ana = await attendee(new_phone, pool, event_id, "Ana Silva")
    people = {}
    for name in ("Ben Ode", "Cy Park", "Dee Moss"):
        people[name] = await attendee(new_phone, pool, event_id, name)
    ids = dict(await pool.fetch("SELECT name, account_id FROM cards"))
    for name in people:
        asked = await ana.post(ana.url("request_connect", event_id=event_id, account_id=ids[name]))
        assert asked.status_code == 303, asked.text
    # Cy declines (silently); Ana withdraws hers to Dee herself.
    cy = people["Cy Park"]
    [(request_id,)] = await pool.fetch(
        "SELECT id FROM connect_requests WHERE to_id = $1", ids["Cy Park"]
    )
    declined = await cy.post(cy.url("request_decide", request_id=request_id, decision="decline"))
    assert declined.status_code == 303
    before = await sent_by_you(ana)
    assert set(before) == {"Ben Ode", "Cy Park", "Dee Moss"}
    assert before["Ben Ode"][1] == ["Withdraw your request to Ben Ode"]
    withdraw = soup(await ana.get(ana.url("requests"))).select_one(
        "#sent-list form:has(button[aria-label='Withdraw your request to Dee Moss'])"
    )
    assert (await ana.post(withdraw["action"])).status_code == 303

    for name in people:
        removed = await olga.post(
            olga.url("event_remove_attendee", event_id=event_id, account_id=ids[name]), {}
        )
        assert removed.status_code == 303

    after = await sent_by_you(ana)
    # Dee's she withdrew herself: gone. Ben's and Cy's: there, alike, with nothing to tap.
    assert set(after) == {"Ben Ode", "Cy Park"}
    for name in after:
        said, buttons = after[name]
        assert said.startswith(f"{name} Request sent at ")
        assert said.endswith(GONE)
        assert buttons == []
    # Ben cannot accept it: nothing waits for him.
    ben = people["Ben Ode"]
    assert "Ana Silva" not in words(soup(await ben.get(ben.url("requests"))).body)
