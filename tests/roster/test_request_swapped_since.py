"""A request to connect between two who swapped since (a QR code, a link) waits for nobody:
the roster and "People who can help you" read it as the list of requests does.

requests.incoming, the badge and the push already left it out; the roster and matches still
carried its id as "asked me" (request_waiting() in logic.sql), as did requests.waiting_from,
what asking back accepts. Their pages hid it behind "In your contacts" (a swap connects both
ways), so only the queries could tell. One rule now, open_requests() in logic.sql, for all."""

from __future__ import annotations

from tests.phone import soup, text_of
from tests.roster.test_routes import story

ANA, BEN = 2, 3  # story(): the organizer is account 1


async def test_the_roster_and_matches_offer_no_accept_once_they_swapped(new_phone, pool, app):
    event_id, ana, ben = await story(new_phone, pool)
    asked = await ben.post(ben.url("request_connect", event_id=event_id, account_id=ANA))
    assert asked.status_code == 303
    # Before Ana answers, they meet at the coffee and swap by her QR code.
    assert (await ben.post((await ana.share_link()) + "/swap")).status_code == 303

    sql = app.state.sql
    # What asking back would accept: nothing waits between them.
    assert await sql.run(pool, "requests.waiting_from", from_id=BEN, to_id=ANA) is None
    roster = await sql.run(
        pool, "events.roster", event_id=event_id, viewer_id=ANA, query=None, after=None, limit=50
    )
    assert [r["asked_me"] for r in roster if r["account_id"] == BEN] == [None]
    matches = await sql.run(pool, "matches.for_me", event_id=event_id, viewer_id=ANA)
    bens = [r["asked_me"] for r in matches if r["account_id"] == BEN]
    assert bens and bens == [None] * len(bens)

    # As she sees it: Ben is in her contacts, and nothing is there to accept.
    for page in ("event_people", "event_matches"):
        shown = await ana.get(ana.url(page, event_id=event_id))
        assert "In your contacts" in text_of(shown), page
        assert "asked to connect" not in text_of(shown), page
    assert soup(await ana.get(ana.url("requests"))).select("#request-list > li") == []


async def test_a_request_waiting_still_offers_accept(new_phone, pool, app):
    """The rule leaves a request nobody answered as it was."""
    event_id, ana, ben = await story(new_phone, pool)
    await ben.post(ben.url("request_connect", event_id=event_id, account_id=ANA))
    request_id = await pool.fetchval("SELECT id FROM connect_requests")
    assert (
        await app.state.sql.run(pool, "requests.waiting_from", from_id=BEN, to_id=ANA) == request_id
    )
    shown = await ana.get(ana.url("event_people", event_id=event_id))
    assert "Ben Ode asked to connect with you." in text_of(shown)
