"""Strangers in a crowd: requests to connect counted per person asked and per address, not
only per sender (whose accounts a script makes as it likes), and the roster's cursor placed
only by someone this viewer's roster shows."""

from __future__ import annotations

from server.roster.routes import REQUESTS_PER_ADDRESS, REQUESTS_TO_PERSON
from tests.events.test_routes import attendee
from tests.limit_counts import says_wait
from tests.phone import text_of
from tests.roster.test_routes import story
from tests.swaps.test_flood import used

ANA, BEN = 2, 3  # story(): the organizer is 1


async def requests_to(pool, account_id: int) -> int:
    return int(
        await pool.fetchval(
            "SELECT count(*) FROM connect_requests WHERE to_id = $1 AND status = 'pending'",
            account_id,
        )
    )


async def test_requests_to_one_person_stop_at_their_hourly_limit(new_phone, pool):
    """Fresh accounts each have their own 30 an hour: a flood of them reaches Ana's phone
    no more than REQUESTS_TO_PERSON allows, however many senders."""
    event_id, _ana, ben = await story(new_phone, pool)
    cy = await attendee(new_phone, pool, event_id, "Cy Park")
    await used(pool, REQUESTS_TO_PERSON, ANA, REQUESTS_TO_PERSON.most - 1)
    asked = await ben.post(ben.url("request_connect", event_id=event_id, account_id=ANA))
    assert asked.status_code == 303  # the last one this hour
    refused = await cy.post(cy.url("request_connect", event_id=event_id, account_id=ANA))
    says_wait(refused, REQUESTS_TO_PERSON.says)
    assert "Nothing was sent" in text_of(refused)
    assert await requests_to(pool, ANA) == 1
    # Nobody else is held back: Cy asks Ben.
    assert (
        await cy.post(cy.url("request_connect", event_id=event_id, account_id=BEN))
    ).status_code == 303
    # With htmx, said in the page's flash.
    flashed = await cy.post(cy.url("request_connect", event_id=event_id, account_id=ANA), htmx=True)
    assert flashed.status_code == 429
    assert "Lots of people asked this person to connect" in text_of(flashed)
    assert await requests_to(pool, ANA) == 1


async def test_requests_from_one_address_stop_at_its_limit(new_phone, pool):
    event_id, _ana, ben = await story(new_phone, pool)
    await attendee(new_phone, pool, event_id, "Cy Park")
    cy_id = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Cy Park'")
    # Every phone in these tests is 127.0.0.1: one venue's Wi-Fi, nearly used up.
    await used(pool, REQUESTS_PER_ADDRESS, "127.0.0.1", REQUESTS_PER_ADDRESS.most - 1)
    assert (
        await ben.post(ben.url("request_connect", event_id=event_id, account_id=ANA))
    ).status_code == 303
    refused = await ben.post(ben.url("request_connect", event_id=event_id, account_id=cy_id))
    says_wait(refused, REQUESTS_PER_ADDRESS.says, within=600)
    assert await pool.fetchval("SELECT count(*) FROM connect_requests") == 1
