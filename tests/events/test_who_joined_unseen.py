"""An organizer's "Who joined" lists anyone in a block with them apart, under "Hidden from
you by a block", by name alone (never their headline, nor who blocked whom), only when some
are, so that she can still remove them; "Joined, all told" counts them as anyone."""

from __future__ import annotations

from tests.events.test_routes import (
    PLAIN,
    attendee,
    event_form,
    join_code,
    organizer_with_event,
)
from tests.phone import Phone, text_of

UNSEEN = "Hidden from you by a block"


async def bens_event(ben: Phone, pool) -> tuple[int, str]:
    made = await ben.post(ben.url("event_create"), event_form(name="Ben's meetup"))
    assert made.status_code == 303, made.text
    event_id = int(made.headers["location"].rsplit("/", 1)[1])
    return event_id, await join_code(pool, event_id)


async def joins(phone: Phone, code: str) -> None:
    joined = await phone.post(phone.url("join_event_submit", code=code), {"listed": "on"})
    assert joined.status_code == 303


async def test_a_line_says_some_are_not_listed_only_when_a_block_leaves_them_out(new_phone, pool):
    """Ben's meetup, Dee in it: no heading. Ana, who blocked Ben, joins: the count has her,
    and she is under the heading by name, without her headline; searched for, she is found
    there, and a search for Dee leaves the heading out."""
    _, first = await organizer_with_event(new_phone)
    ana = await attendee(new_phone, pool, first, "Ana Silva", headline="Shop owner")
    ben = await attendee(new_phone, pool, first, "Ben Ode")
    ben_id = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Ben Ode'")
    bens, code = await bens_event(ben, pool)
    dee = await new_phone()
    await dee.make_card(**PLAIN, name="Dee Moss", email="dee@example.com")
    await joins(dee, code)

    page = text_of(await ben.get(ben.url("event", event_id=bens)))
    assert "Dee Moss" in page
    assert UNSEEN not in page  # nobody left out: nothing to say

    blocked = await ana.post(ana.url("event_block", event_id=first, account_id=ben_id))
    assert blocked.status_code == 303
    await joins(ana, code)
    page = text_of(await ben.get(ben.url("event", event_id=bens)))
    assert "Joined, all told 3" in " ".join(page.split())  # Ben, Dee and Ana
    assert UNSEEN in page
    assert page.index("Dee Moss") < page.index(UNSEEN) < page.index("Ana Silva")
    assert "Shop owner" not in page
    searched = text_of(await ben.get(ben.url("event", event_id=bens) + "?who=ana"))
    assert UNSEEN in searched and "Ana Silva" in searched and "Dee Moss" not in searched
    searched = text_of(await ben.get(ben.url("event", event_id=bens) + "?who=dee"))
    assert UNSEEN not in searched and "Ana Silva" not in searched


async def test_the_line_reads_the_same_for_someone_the_organizer_blocked(new_phone, pool):
    """Ben blocked Cy, who joins his meetup: under the same heading, whose words do not say
    who blocked whom."""
    _, first = await organizer_with_event(new_phone)
    ben = await attendee(new_phone, pool, first, "Ben Ode")
    cy = await attendee(new_phone, pool, first, "Cy Park")
    cy_id = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Cy Park'")
    assert (
        await ben.post(ben.url("event_block", event_id=first, account_id=cy_id))
    ).status_code == 303
    bens, code = await bens_event(ben, pool)
    await joins(cy, code)
    page = text_of(await ben.get(ben.url("event", event_id=bens)))
    assert page.index(UNSEEN) < page.index("Cy Park")
