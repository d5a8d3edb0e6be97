"""One sender asking, withdrawing and asking the same person again: the same request each
time, counted once against the hour's requests that person may be sent (review r80), so a
few accounts looping cannot hold back everyone else trying to reach a keynote speaker. The
sender's own limit still counts every ask."""

from __future__ import annotations

from server.roster.routes import REQUESTS, REQUESTS_TO_PERSON
from tests.events.test_routes import attendee
from tests.limit_counts import hits, says_wait
from tests.phone import text_of
from tests.roster.test_routes import story
from tests.swaps.test_flood import used

ANA, BEN = 2, 3  # story(): the organizer is 1
LOTS = "Lots of people asked this person to connect"


async def test_asking_again_after_withdrawing_leaves_room_for_everyone_else(new_phone, pool):
    event_id, _ana, ben = await story(new_phone, pool)
    cy = await attendee(new_phone, pool, event_id, "Cy Park")
    dee = await attendee(new_phone, pool, event_id, "Dee Moss")
    # Ana spoke this morning: 98 others asked her within the hour, two more may.
    await used(pool, REQUESTS_TO_PERSON, ANA, REQUESTS_TO_PERSON.most - 2)
    ask = ben.url("request_connect", event_id=event_id, account_id=ANA)
    for _ in range(4):
        asked = await ben.post(ask)
        assert asked.status_code == 303, text_of(asked)
        request_id = await pool.fetchval("SELECT id FROM connect_requests WHERE from_id = $1", BEN)
        withdrawn = await ben.post(ben.url("request_withdraw", request_id=request_id))
        assert withdrawn.status_code == 303
    asked = await ben.post(ask)  # the fifth ask: left waiting
    assert asked.status_code == 303, text_of(asked)
    assert "Request sent." in text_of(await ben.get(asked.headers["location"]))
    # Cy still reaches her, the hour's last, and only then is the next held back.
    by_cy = await cy.post(cy.url("request_connect", event_id=event_id, account_id=ANA))
    assert by_cy.status_code == 303, text_of(by_cy)
    assert "Request sent." in text_of(await cy.get(by_cy.headers["location"]))
    refused = await dee.post(dee.url("request_connect", event_id=event_id, account_id=ANA))
    says_wait(refused, REQUESTS_TO_PERSON.says)
    assert LOTS in text_of(refused)
    # Ana has two requests waiting, Ben's and Cy's; Ben's own hour counted all five asks.
    assert (
        await pool.fetchval(
            "SELECT count(*) FROM connect_requests WHERE to_id = $1 AND withdrawn_at IS NULL", ANA
        )
        == 2
    )
    assert await hits(pool, bucket=REQUESTS.bucket, key=str(BEN)) == 5
