"""Ana asked Ben to connect; the organizer then removed Ben from the event, which withdrew her
request (events.remove_attendee: he must not get her details by accepting it). It went from
her "Sent by you" as if she had withdrawn it herself. Now it stays there, saying he is no
longer at the event, with no Withdraw; one he had declined (silently) reads the same, or
what stayed would tell her of the decline. One she withdrew herself is gone, as before."""

from __future__ import annotations

from tests.events.test_routes import attendee, event_form, join_code, organizer_with_event
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


async def roster_actions(phone, event_id: int) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """An event's roster as read: each name, and what it offers ("Request sent." or a button)."""
    page = soup(await phone.get(phone.url("event_people", event_id=event_id)))
    return {
        words(li.select_one(".name")): words(li.select_one(".card > p.ok, .card > form button"))
        for li in page.select("#people-list li")
    }


async def test_a_removal_withdraws_a_declined_request_as_it_does_one_waiting(new_phone, pool):
    """Declining is silent: were the removal to withdraw the waiting ones only, one declined
    that stayed would tell its sender, at another event's roster ("Request sent." for the one
    who declined, "Request to connect" again for the other) and in the removed one's own "Sent
    by you" (the declined ones alone left)."""
    olga, event_id = await organizer_with_event(new_phone)
    people = {}
    for name in ("Ana Silva", "Ben Ode", "Cy Park", "Dee Moss", "Eve Lund"):
        people[name] = await attendee(new_phone, pool, event_id, name)
    ids = dict(await pool.fetch("SELECT name, account_id FROM cards"))

    async def ask(asker: str, asked: str, at: int) -> None:
        phone = people[asker]
        made = await phone.post(phone.url("request_connect", event_id=at, account_id=ids[asked]))
        assert made.status_code == 303, made.text

    async def decline(who: str, asker: str) -> None:
        request_id = await pool.fetchval(
            "SELECT id FROM connect_requests WHERE from_id = $1 AND to_id = $2",
            ids[asker],
            ids[who],
        )
        phone = people[who]
        said = await phone.post(
            phone.url("request_decide", request_id=request_id, decision="decline")
        )
        assert said.status_code == 303

    # Ana asks Ben (he never answers) and Cy (who declines); Ben asks Dee (who declines) and
    # Eve (who never answers).
    for asker, asked in (("Ana Silva", "Ben Ode"), ("Ana Silva", "Cy Park")):
        await ask(asker, asked, event_id)
    for asked in ("Dee Moss", "Eve Lund"):
        await ask("Ben Ode", asked, event_id)
    await decline("Cy Park", "Ana Silva")
    await decline("Dee Moss", "Ben Ode")
    ben = people["Ben Ode"]
    assert set(await sent_by_you(ben)) == {"Dee Moss", "Eve Lund"}

    for name in ("Ben Ode", "Cy Park"):
        removed = await olga.post(
            olga.url("event_remove_attendee", event_id=event_id, account_id=ids[name]), {}
        )
        assert removed.status_code == 303

    # Ben's own "Sent by you": both went, the declined one as the one unanswered.
    assert await sent_by_you(ben) == {}

    # Another event, where Ana meets Ben and Cy again: the same for both.
    made = await olga.post(olga.url("event_create"), event_form(name="Evening Mixer"))
    assert made.status_code == 303, made.text
    again = int(made.headers["location"].rsplit("/", 1)[1])
    code = await join_code(pool, again)
    for name in ("Ana Silva", "Ben Ode", "Cy Park"):
        joined = await people[name].post(
            people[name].url("join_event_submit", code=code), {"listed": "on"}
        )
        assert joined.status_code == 303
    ana = people["Ana Silva"]
    seen = await roster_actions(ana, again)
    assert seen["Ben Ode"] == seen["Cy Park"] == "Request to connect"

    # Asked again, each reads as sent; Cy's comes back still declined, so Cy is not asked again.
    for name in ("Ben Ode", "Cy Park"):
        await ask("Ana Silva", name, again)
    seen = await roster_actions(ana, again)
    assert seen["Ben Ode"] == seen["Cy Park"] == "Request sent."
    assert "Ana Silva" in words(soup(await ben.get(ben.url("requests"))).body)
    cy = people["Cy Park"]
    assert "Ana Silva" not in words(soup(await cy.get(cy.url("requests"))).body)
