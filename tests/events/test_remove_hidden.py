"""An organizer removes someone hidden from her by a block, either way (a troublemaker must
not block the organizer to stay), and the answer is the one anyone gets, there or not: an
account id found elsewhere (an earlier event's Remove) tells nothing by it."""

from __future__ import annotations

import asyncpg
import pytest
from httpx import Response

from tests.events.test_routes import PLAIN, attendee, organizer_with_event
from tests.phone import Phone, text_of

# What differs between any two answers, whoever they are about.
VOLATILE = {"date", "set-cookie"}
HIDDEN_NOTE = "Hidden from you by a block"


async def account_of(pool: asyncpg.Pool, name: str) -> int:
    account_id: int = await pool.fetchval("SELECT account_id FROM cards WHERE name = $1", name)
    return account_id


async def remove(organizer: Phone, event_id: int, account_id: int, *, htmx: bool) -> Response:
    return await organizer.post(
        organizer.url("event_remove_attendee", event_id=event_id, account_id=account_id),
        {},
        htmx=htmx,
    )


def answer(response: Response) -> tuple[int, str, dict[str, str]]:
    headers = {k: v for k, v in response.headers.items() if k not in VOLATILE}
    return response.status_code, response.text, headers


@pytest.mark.parametrize("blocker", ["attendee", "organizer"])
async def test_someone_hidden_by_a_block_is_removed_with_the_answer_a_stranger_gets(
    new_phone, pool, blocker: str
):
    """Bob, at Olga's event, blocked her (or she blocked him): her list shows him apart. Her
    Remove with his id answers, page or fragment, byte for byte as it does for Carol, who
    never joined, and takes him off the list Dee sees."""
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
    before = text_of(await olga.get(olga.url("event", event_id=event_id)))
    assert before.index(HIDDEN_NOTE) < before.index("Bob Hart")
    assert "Bob Hart" in text_of(await dee.get(dee.url("event_people", event_id=event_id)))

    for htmx in (False, True):
        hidden = await remove(olga, event_id, bob_id, htmx=htmx)
        stranger = await remove(olga, event_id, carol_id, htmx=htmx)
        assert stranger.status_code in (303, 204), stranger.text  # a page, or htmx told where
        assert answer(hidden) == answer(stranger)

    assert "Bob Hart" not in text_of(await dee.get(dee.url("event_people", event_id=event_id)))
    assert (await bob.get(bob.url("event_people", event_id=event_id))).status_code == 404
    # The page she comes back to no longer lists him, hidden or not.
    after = text_of(await olga.get(olga.url("event", event_id=event_id)))
    assert HIDDEN_NOTE not in after and "Bob Hart" not in after
