"""An organizer's Remove of someone "Who joined" leaves out for a block, either way, answers
exactly as for someone never at the event and removes nobody: an account id found elsewhere
(an earlier event's Remove) must not tell the organizer who is at theirs."""

from __future__ import annotations

import asyncpg
import pytest
from httpx import Response

from tests.events.test_routes import PLAIN, attendee, organizer_with_event
from tests.phone import Phone, soup, text_of

# What differs between any two answers, whoever they are about.
VOLATILE = {"date", "set-cookie"}


async def account_of(pool: asyncpg.Pool, name: str) -> int:
    account_id: int = await pool.fetchval("SELECT account_id FROM cards WHERE name = $1", name)
    return account_id


async def remove(organizer: Phone, event_id: int, account_id: int, *, htmx: bool) -> Response:
    return await organizer.post(
        organizer.url("event_remove_attendee", event_id=event_id, account_id=account_id),
        {},
        htmx=htmx,
    )


@pytest.mark.parametrize("blocker", ["attendee", "organizer"])
async def test_removing_someone_hidden_by_a_block_answers_as_for_a_stranger(
    new_phone, pool, blocker: str
):
    """Bob, at Olga's event, blocked her (or she blocked him): her list leaves him out. Her
    Remove with his id answers, page or fragment, byte for byte as it does for Carol, who
    never joined; Bob is still there, for himself and on the list Dee sees."""
    olga, event_id = await organizer_with_event(new_phone)
    bob = await attendee(new_phone, pool, event_id, "Bob Hart")
    dee = await attendee(new_phone, pool, event_id, "Dee Moss")
    carol = await new_phone()
    await carol.make_card(**PLAIN, name="Carol Nash", email="carol@example.com")
    olga_id, bob_id = await account_of(pool, "Olga Organizer"), await account_of(pool, "Bob Hart")
    carol_id = await account_of(pool, "Carol Nash")
    by, other = (bob, olga_id) if blocker == "attendee" else (olga, bob_id)
    blocked = await by.post(by.url("event_block", event_id=event_id, account_id=other))
    assert blocked.status_code == 303
    assert "Bob Hart" not in text_of(await olga.get(olga.url("event", event_id=event_id)))

    for htmx in (False, True):
        hidden = await remove(olga, event_id, bob_id, htmx=htmx)
        stranger = await remove(olga, event_id, carol_id, htmx=htmx)
        assert stranger.status_code == 404, stranger.text
        assert (hidden.status_code, hidden.text) == (stranger.status_code, stranger.text)
        assert {k: v for k, v in hidden.headers.items() if k not in VOLATILE} == {
            k: v for k, v in stranger.headers.items() if k not in VOLATILE
        }

    own = await bob.get(bob.url("event", event_id=event_id))
    assert own.status_code == 200
    assert soup(own).h1.get_text(strip=True) == "Lunch & Learn"
    assert "Bob Hart" in text_of(await dee.get(dee.url("event_people", event_id=event_id)))
