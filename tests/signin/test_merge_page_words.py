"""The merge page's words: what merging moves (blocks and requests to connect too), and why
a card with no contacts is asked about (its events, requests and blocks would be lost)."""

from __future__ import annotations

from tests.phone import text_of
from tests.signin.test_guests import signs_in
from tests.signin.test_left_behind import ask, attendee, block, organizer_with_event


async def test_a_card_with_no_contacts_says_what_it_has_and_what_merging_moves(
    new_phone, pool, mail, app
):
    """Mia joined an event in the app with a new card, asked Ana to connect and blocked Bob;
    then she signs in there to her real account."""
    _, event_id = await organizer_with_event(new_phone)  # 1
    await attendee(new_phone, pool, event_id, "Ana Silva")  # 2
    await attendee(new_phone, pool, event_id, "Bob Pest")  # 3
    safari = await new_phone()
    await safari.make_card(name="Mia Chen", email="mia@example.com")  # 4
    installed = await attendee(new_phone, pool, event_id, "Mia C", email="mia.c@example.com")
    await ask(installed, event_id, 2)
    await block(installed, event_id, 3)

    signed = await signs_in(installed, mail, app, "mia@example.com")
    offer = text_of(await installed.get(signed.headers["location"]))
    assert (
        "the card of Mia C , with no contacts yet. But it has 1 event, 1 request to connect"
        " and 1 person blocked, so we ask first." in offer
    )
    assert (
        "Merging moves its contacts, follow-ups, notes, events, blocks and requests to connect"
        " into Mia Chen ." in offer
    )


async def test_a_card_blocked_by_someone_does_not_say_so(new_phone, pool, mail, app):
    """Bob blocked the app's card: that keeps it, but the page never tells of a block on
    her (nor of any count of one)."""
    _, event_id = await organizer_with_event(new_phone)  # 1
    bob = await attendee(new_phone, pool, event_id, "Bob Pest")  # 2
    safari = await new_phone()
    await safari.make_card(name="Mia Chen", email="mia@example.com")  # 3
    installed = await attendee(new_phone, pool, event_id, "Mia C", email="mia.c@example.com")
    await block(bob, event_id, 4)
    await pool.execute("DELETE FROM event_attendees WHERE account_id = 4")

    signed = await signs_in(installed, mail, app, "mia@example.com")
    offer = text_of(await installed.get(signed.headers["location"]))
    assert "the card of Mia C , with no contacts yet." in offer
    assert "But it has" not in offer and "blocked" not in offer
