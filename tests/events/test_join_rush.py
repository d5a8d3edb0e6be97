"""The rush at an event's door: everyone at the venue is one address, and the QR on the big
screen sends the room to the join form at once. Accounts made there count per event and
address, apart from share links, so a full room gets in, newcomers still leave details on
anyone's share link there, and another event's door is its own."""

from __future__ import annotations

from server.swaps import rates
from tests.events.test_routes import PLAIN, event_form, join_code, organizer_with_event
from tests.limit_counts import says_wait
from tests.phone import Phone, soup, text_of
from tests.swaps.test_flood import used

VENUE = "203.0.113.9"


def person(n: int) -> dict[str, str]:
    return {"name": f"Attendee {n}", "email": f"a{n}@example.com", "listed": "on"}


async def speaker_link(new_phone) -> str:
    speaker: Phone = await new_phone()
    await speaker.make_card(**PLAIN, name="Sam Speaker", email="sam@example.com")
    return await speaker.share_link()


async def joins(visitor, code: str, n: int, address: str = VENUE):
    """Attendee ``n`` joins, on a phone with no card, from ``address``."""
    phone = await visitor(address)
    return await phone.post(phone.url("join_event_submit", code=code), person(n))


async def test_more_than_a_hundred_join_at_the_door_and_share_links_still_work(
    new_phone, visitor, pool
):
    """120 people on the venue's Wi-Fi join by the QR within minutes: all get in, and then
    someone new leaves their details on the speaker's share link from the same Wi-Fi."""
    _, event_id = await organizer_with_event(new_phone)
    code = await join_code(pool, event_id)
    link = await speaker_link(new_phone)
    for n in range(120):
        joined = await joins(visitor, code, n)
        assert joined.status_code == 303, (n, text_of(joined))
    assert (
        await pool.fetchval("SELECT count(*) FROM event_attendees WHERE event_id = $1", event_id)
        == 121
    )  # and the organizer

    newcomer = await visitor(VENUE)
    left = await newcomer.post(link + "/details", {"name": "New Person", "email": "np@example.com"})
    assert left.status_code == 303, text_of(left)


async def test_a_flood_at_one_door_is_refused_in_the_form_and_nowhere_else(
    new_phone, visitor, pool
):
    """Past the door's limit from one address, the join form comes back with what was typed
    and why; another event's door, and share links, at that address take people as before."""
    organizer, event_id = await organizer_with_event(new_phone)
    code = await join_code(pool, event_id)
    made = await organizer.post(organizer.url("event_create"), event_form(name="Evening talk"))
    assert made.status_code == 303, made.text
    other_code = await join_code(pool, int(made.headers["location"].rsplit("/", 1)[1]))
    link = await speaker_link(new_phone)
    rule = rates.NEW_PER_EVENT_ADDRESS
    assert rule.most >= 500  # a big event's door on one IPv4
    await used(pool, rule, f"{event_id} {VENUE}", rule.most - 1)

    assert (await joins(visitor, code, 0)).status_code == 303  # the last one it takes
    accounts = await pool.fetchval("SELECT count(*) FROM accounts")
    refused = await joins(visitor, code, 1)
    says_wait(refused, rule.says, within=600)
    form = soup(refused).select_one("main form")
    assert "nothing was saved" in form.select_one('[role="alert"]').get_text()
    assert form.select_one('input[name="name"]')["value"] == "Attendee 1"
    assert form.select_one('input[name="email"]')["value"] == "a1@example.com"
    assert "ro_session" not in refused.cookies
    assert await pool.fetchval("SELECT count(*) FROM accounts") == accounts

    # The same Wi-Fi at another event's door, and on a share link: in as before.
    assert (await joins(visitor, other_code, 2)).status_code == 303
    newcomer = await visitor(VENUE)
    left = await newcomer.post(link + "/details", {"name": "New Person", "email": "np@example.com"})
    assert left.status_code == 303, text_of(left)
