"""A request to connect sent once the list of people has closed (``ROSTER_DAYS`` after the
event): told that, as the list itself says it, not that the event is not theirs."""

from __future__ import annotations

import pytest

from tests.events.test_routes import attendee, organizer_with_event
from tests.phone import soup, text_of


@pytest.mark.parametrize("htmx", [False, True])
async def test_a_request_after_the_list_closed_says_it_closed(new_phone, pool, htmx):
    _olga, event_id = await organizer_with_event(new_phone)
    ana = await attendee(new_phone, pool, event_id, "Ana Silva")
    await attendee(new_phone, pool, event_id, "Ben Ode")
    ben_id = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Ben Ode'")
    # Ana's list of people stayed open on her phone while the event ended 31 days ago.
    await pool.execute(
        "UPDATE events SET starts_at = now() - interval '32 days',"
        " ends_at = now() - interval '31 days'"
    )
    url = ana.url("request_connect", event_id=event_id, account_id=ben_id)
    refused = await ana.post(url, htmx=htmx)
    assert refused.status_code == 410
    assert "This event's list of people has closed." in text_of(refused)
    if not htmx:
        assert soup(refused).h1.get_text(strip=True) == "The list of people has closed"
    assert await pool.fetchval("SELECT count(*) FROM connect_requests") == 0

    # Someone not at the event still learns nothing of it.
    stranger = await new_phone()
    await stranger.make_card(name="Sam Stranger", email="sam@example.com")
    other = await stranger.post(
        stranger.url("request_connect", event_id=event_id, account_id=ben_id), htmx=htmx
    )
    assert other.status_code == 404
    assert "That event is not one of yours." in text_of(other)
