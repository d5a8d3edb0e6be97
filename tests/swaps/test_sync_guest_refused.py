"""A guest typed offline whose address is on the card of someone blocked with me: when the
phone syncs it, a JSON answer the outbox reads ("Not swapped:" with why, as the Tap form
says it), not an HTML error page it can only call "This swap could not be made"."""

from __future__ import annotations

from server.swaps.connect import REFUSED
from tests.contacts.test_blocks import contact_of
from tests.reminders import swapped
from tests.swaps.test_sync import action, replay


async def test_a_queued_guest_with_a_blocked_address_is_refused_in_words(new_phone, pool):
    dana, mia = await swapped(new_phone)
    blocked = await mia.post(mia.url("contact_block", contact_id=await contact_of(pool, 2)))
    assert blocked.status_code < 400
    # Offline, Dana types in someone with Mia's address.
    answer = await replay(dana, action("guest", {"name": "M Chen", "email": "Mia@example.com"}))
    assert answer.status_code == 403
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.json() == {"status": "failed", "message": REFUSED}
    assert await pool.fetchval("SELECT count(*) FROM cards WHERE name = 'M Chen'") == 0
