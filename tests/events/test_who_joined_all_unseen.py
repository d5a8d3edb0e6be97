"""Everyone who joined is hidden from the organizer by a block: the page lists them under
"Hidden from you by a block", never "Nobody else yet."."""

from __future__ import annotations

from tests.events.test_routes import attendee, organizer_with_event
from tests.events.test_who_joined_unseen import UNSEEN, bens_event, joins
from tests.phone import text_of


async def test_an_organizer_whose_only_attendee_is_hidden_reads_them_under_the_heading(
    new_phone, pool
):
    _, first = await organizer_with_event(new_phone)
    ana = await attendee(new_phone, pool, first, "Ana Silva")
    ben = await attendee(new_phone, pool, first, "Ben Ode")
    ben_id = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Ben Ode'")
    bens, code = await bens_event(ben, pool)
    blocked = await ana.post(ana.url("event_block", event_id=first, account_id=ben_id))
    assert blocked.status_code == 303
    await joins(ana, code)
    page = " ".join(text_of(await ben.get(ben.url("event", event_id=bens))).split())
    assert page.index(UNSEEN) < page.index("Ana Silva")
    assert "Nobody else yet." not in page
