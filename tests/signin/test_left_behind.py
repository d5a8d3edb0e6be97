"""The account a browser had before signing in to another is deleted only when it is a card
made by mistake: one that joined an event, blocked someone (or was blocked), or has a request
to connect waiting, either way, is someone's account in use and is offered for merging; and
merging carries those over, with the requests still waiting, so that neither she nor the
people she asked lose anything (review r34)."""

from __future__ import annotations

import pytest

from tests.events.test_routes import attendee, organizer_with_event
from tests.phone import Phone, soup, text_of
from tests.signin.test_guests import signs_in


async def people_seen_by(phone: Phone, event_id: int) -> str:
    return text_of(await phone.get(phone.url("event_people", event_id=event_id)))


async def names_in(phone: Phone, listing: str) -> list[str]:
    page = soup(await phone.get(phone.url("requests")))
    return [name.get_text(strip=True) for name in page.select(f"{listing} .name")]


async def sent_by(phone: Phone) -> list[str]:
    """Whom "Sent by you" on the requests page names."""
    return await names_in(phone, "#sent-list")


async def incoming_of(phone: Phone) -> list[str]:
    """Who asks, in the requests waiting for an answer on the requests page."""
    return await names_in(phone, "#request-list")


async def ask(phone: Phone, event_id: int, account_id: int) -> None:
    asked = await phone.post(phone.url("request_connect", event_id=event_id, account_id=account_id))
    assert asked.status_code == 303, text_of(asked)


async def block(phone: Phone, event_id: int, account_id: int) -> None:
    blocked = await phone.post(phone.url("event_block", event_id=event_id, account_id=account_id))
    assert blocked.status_code == 303, text_of(blocked)


async def test_the_app_card_that_joined_asked_and_blocked_is_offered_and_merged_whole(
    new_phone, pool, mail, app
):
    """Mia's real account is in Safari. At an event, in the installed app, she joins with a
    new card, asks Ana to connect and blocks Bob; then she signs in to her real account in the
    app, by email code. Before, the app's card went without a word: Ana's request vanished,
    Mia left the list of people, and her block on Bob was gone."""
    _, event_id = await organizer_with_event(new_phone)  # 1
    ana = await attendee(new_phone, pool, event_id, "Ana Silva")  # 2
    bob = await attendee(new_phone, pool, event_id, "Bob Pest")  # 3
    safari = await new_phone()
    await safari.make_card(name="Mia Chen", email="mia@example.com")  # 4
    installed = await attendee(new_phone, pool, event_id, "Mia C", email="mia.c@example.com")  # 5
    await ask(installed, event_id, 2)
    await block(installed, event_id, 3)
    assert await incoming_of(ana) == ["Mia C"]

    signed = await signs_in(installed, mail, app, "mia@example.com")
    assert signed.headers["location"] == installed.url("sign_in_merge") + "?notice=signed_in"
    offer = text_of(await installed.get(signed.headers["location"]))
    assert "Merge the card this browser had?" in offer
    assert "the card of Mia C , with no contacts yet." in offer
    merged = await installed.post(installed.url("sign_in_merge_choose"), {"choice": "merge"})
    assert merged.headers["location"] == installed.url("contacts") + "?notice=merged"
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE id = 5") == 0

    # Ana still has Mia's request, from her real card now, and accepting it connects them.
    assert await incoming_of(ana) == ["Mia Chen"]
    assert await sent_by(safari) == ["Ana Silva"]
    request_id = await pool.fetchval("SELECT id FROM connect_requests WHERE to_id = 2")
    accepted = await ana.post(ana.url("request_decide", request_id=request_id, decision="accept"))
    assert accepted.status_code == 303
    assert "Ana Silva" in text_of(await safari.get(safari.url("contacts")))
    # Mia is still at the event for Ana; Bob, blocked, still does not see her.
    assert "Mia Chen" in await people_seen_by(ana, event_id)
    bob_sees = await people_seen_by(bob, event_id)
    assert "Ana Silva" in bob_sees and "Mia" not in bob_sees
    blocked = soup(await safari.get(safari.url("settings"))).select_one("#blocked")
    assert blocked is not None and "Bob Pest" in blocked.get_text(" ", strip=True)


@pytest.mark.parametrize("what", ["joined_and_left", "blocked_by_someone", "asked_by_someone"])
async def test_a_card_others_see_or_hold_is_offered_not_deleted(new_phone, pool, mail, app, what):
    """Each on its own keeps the app's card: an event it joined (left since: the organizer's
    list counts it), someone's block on it (their choice), a request someone made to it."""
    _, event_id = await organizer_with_event(new_phone)  # 1
    ana = await attendee(new_phone, pool, event_id, "Ana Silva")  # 2
    safari = await new_phone()
    await safari.make_card(name="Mia Chen", email="mia@example.com")  # 3
    installed = await attendee(new_phone, pool, event_id, "Mia C", email="mia.c@example.com")  # 4
    if what == "joined_and_left":
        left = await installed.post(installed.url("event_leave", event_id=event_id))
        assert left.status_code == 303
    elif what == "blocked_by_someone":
        await block(ana, event_id, 4)
    else:
        await ask(ana, event_id, 4)

    signed = await signs_in(installed, mail, app, "mia@example.com")
    assert signed.headers["location"] == installed.url("sign_in_merge") + "?notice=signed_in"
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE id = 4") == 1
    merged = await installed.post(installed.url("sign_in_merge_choose"), {"choice": "merge"})
    assert merged.status_code == 303
    if what == "asked_by_someone":
        # Ana's request waits for Mia's answer, on her real card, and still reads as sent.
        assert await incoming_of(safari) == ["Ana Silva"]
        assert await sent_by(ana) == ["Mia Chen"]
    elif what == "blocked_by_someone":
        # Ana's block holds on Mia's real card, now at the event too.
        blocked = soup(await ana.get(ana.url("settings"))).select_one("#blocked")
        assert blocked is not None and "Mia Chen" in blocked.get_text(" ", strip=True)
        assert "Mia" not in await people_seen_by(ana, event_id)
    else:
        assert await pool.fetchval(
            "SELECT left_at IS NOT NULL FROM event_attendees WHERE account_id = 3"
        )


async def test_a_card_made_by_mistake_still_goes(new_phone, pool, mail, app):
    """Nothing but a card (an event it did not join, a request it withdrew): deleted, and
    signing in goes straight to the contacts."""
    _, event_id = await organizer_with_event(new_phone)  # 1
    await attendee(new_phone, pool, event_id, "Ana Silva")  # 2
    safari = await new_phone()
    await safari.make_card(name="Mia Chen", email="mia@example.com")  # 3
    installed = await new_phone()
    await installed.make_card(name="Mia C", email="mia.c@example.com")  # 4
    signed = await signs_in(installed, mail, app, "mia@example.com")
    assert signed.headers["location"] == installed.url("contacts") + "?notice=signed_in"
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE id = 4") == 0


async def test_merging_keeps_one_request_per_person_and_what_a_block_ended_stays_ended(
    new_phone, pool, mail, app
):
    """Both of Mia's cards are at the event. Each asked Ana: Ana gets one request, not two.
    Her real card blocked Bob and Cat; Bob had asked the app's card, which had asked Cat:
    merged, those end as her block ends them. Bob's reads to him as waiting (a decline is
    silent); hers to Cat is withdrawn, gone from Cat's requests; neither shows on hers, nor
    comes back when she unblocks them."""
    _, event_id = await organizer_with_event(new_phone)  # 1
    ana = await attendee(new_phone, pool, event_id, "Ana Silva")  # 2
    bob = await attendee(new_phone, pool, event_id, "Bob Pest")  # 3
    cat = await attendee(new_phone, pool, event_id, "Cat Nosy")  # 4
    safari = await attendee(new_phone, pool, event_id, "Mia Chen", email="mia@example.com")  # 5
    installed = await attendee(new_phone, pool, event_id, "Mia C", email="mia.c@example.com")  # 6
    await ask(safari, event_id, 2)
    await ask(installed, event_id, 2)
    await ask(bob, event_id, 6)
    await ask(installed, event_id, 4)
    await block(safari, event_id, 3)
    await block(safari, event_id, 4)

    signed = await signs_in(installed, mail, app, "mia@example.com")
    assert signed.headers["location"] == installed.url("sign_in_merge") + "?notice=signed_in"
    merged = await installed.post(installed.url("sign_in_merge_choose"), {"choice": "merge"})
    assert merged.status_code == 303, text_of(merged)

    assert await incoming_of(ana) == ["Mia Chen"]
    assert await sent_by(bob) == ["Mia Chen"]
    assert await incoming_of(cat) == []
    assert await incoming_of(installed) == []
    assert await sent_by(installed) == ["Ana Silva"]
    # Ended, not hidden: unblocked later, neither comes back.
    for blocked in (3, 4):
        unblocked = await installed.post(installed.url("unblock", account_id=blocked))
        assert unblocked.status_code == 303
    assert await incoming_of(cat) == []
    assert await incoming_of(installed) == []
    assert await sent_by(installed) == ["Ana Silva"]
