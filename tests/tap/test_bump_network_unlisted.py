"""Bump's "pick who you bumped" on a network (the same Wi-Fi, no event in common): someone
unlisted at an event they are at now is not named there to strangers, yet can still be picked."""

from __future__ import annotations

import asyncio
import time

from tests.events.test_routes import join_code, organizer_with_event
from tests.phone import Phone, soup, text_of
from tests.tap.test_routes import bump, connections, three_bump_at_once, two_phones

HTMX = {"HX-Request": "true"}
# In place of the name of someone who may not be named (bumps.SOMEONE).
SOMEONE = "Someone nearby"


async def join_unlisted(new_phone, pool, phone: Phone) -> None:  # type: ignore[no-untyped-def]
    """``phone`` joins an event on now, unticking "listed for other attendees"."""
    _organizer, event_id = await organizer_with_event(new_phone)
    code = await join_code(pool, event_id)
    joined = await phone.post(phone.url("join_event_submit", code=code), {})
    assert joined.status_code == 303, joined.text
    row = await pool.fetchrow(
        "SELECT listed, left_at FROM event_attendees ea JOIN cards c USING (account_id)"
        " WHERE c.name = 'Sam Roe'"
    )
    assert row["listed"] is False and row["left_at"] is None


def now_check(page) -> str:  # type: ignore[no-untyped-def]
    """The check the list now on the page makes every 3 s."""
    return str(soup(page).find(attrs={"hx-trigger": "every 3s"})["hx-get"])


async def test_who_hid_at_an_event_since_is_not_named_on_a_network_pick_list(new_phone, pool):
    """Dana, Mia and Sam bump at once on a café's Wi-Fi, at no event. Sam walks into the event
    next door and joins it unlisted while the lists are up: Dana's list, checked again, no
    longer names him, nor shows his headline; he is "Someone nearby", and picking each other
    still swaps the two."""
    (dana, _mia, sam), _now, answers = await three_bump_at_once(new_phone, pool)
    assert [answer.json()["state"] for answer in answers] == ["ambiguous"] * 3
    dana_bump, _mia_bump, sam_bump = (answer.json()["bump_id"] for answer in answers)
    sams_headline = "Harbour pilot"
    await pool.execute("UPDATE cards SET headline = $1 WHERE name = 'Sam Roe'", sams_headline)
    first = await dana.get(dana.url("bump_status", bump_id=dana_bump), headers=HTMX)
    assert "Sam Roe" in text_of(first) and sams_headline in text_of(first), "as at no event then"
    check = now_check(first)

    await join_unlisted(new_phone, pool, sam)

    now = await dana.get(check, headers=HTMX)
    assert now.status_code == 200, "the list changed: his name comes off the page"
    shown = text_of(now)
    assert "Sam Roe" not in shown and sams_headline not in shown
    buttons = [button.get_text(" ", strip=True) for button in soup(now).find_all("button")]
    assert len(buttons) == 2 and buttons[0].startswith("Mia Chen") and SOMEONE in buttons
    assert (await dana.get(now_check(now), headers=HTMX)).status_code == 204, "then still"
    as_json = await dana.get(
        dana.url("bump_status", bump_id=dana_bump), headers={"accept": "application/json"}
    )
    names = [choice["name"] for choice in as_json.json()["choices"]]
    assert sorted(names) == sorted(["Mia Chen", SOMEONE])
    assert "Sam Roe" not in as_json.text and sams_headline not in as_json.text
    # Sam, who hid, still sees the names of the two on the café's Wi-Fi, at no event.
    sams = await sam.get(
        sam.url("bump_status", bump_id=sam_bump), headers={"accept": "application/json"}
    )
    assert sorted(choice["name"] for choice in sams.json()["choices"]) == [
        "Dana Lee",
        "Mia Chen",
    ]

    # He may be the one Dana bumped: she can pick him, and two who pick each other swap.
    picked = await dana.post(
        dana.url("bump_choose", bump_id=dana_bump), {"choice": str(sam_bump)}, htmx=True
    )
    assert "Waiting for them to pick you too" in text_of(picked)
    assert "Sam Roe" not in text_of(picked)
    done = await sam.post(
        sam.url("bump_choose", bump_id=sam_bump), {"choice": str(dana_bump)}, htmx=True
    )
    assert done.status_code == 204
    assert await connections(pool, "Dana Lee", "Sam Roe") == 2
    assert await connections(pool, "Dana Lee", "Mia Chen") == 0


async def test_an_unlisted_attendee_bumping_beside_two_on_the_network_is_never_named(
    new_phone, pool
):
    """Sam is unlisted at an event on now when he bumps at the moment Dana and Mia do on the
    same network: his bump is the event's alone (bump_scopes_of), so theirs pair and neither
    hears his name. Holds without the pick list's rule too; kept should the scopes change."""
    dana, mia = await two_phones(new_phone)
    sam = await new_phone()
    await sam.make_card(name="Sam Roe", email="sam@example.com")
    await join_unlisted(new_phone, pool, sam)
    now = time.time() * 1000
    answers = await asyncio.gather(bump(dana, now), bump(mia, now + 10), bump(sam, now + 20))
    assert [answer.json()["state"] for answer in answers] == ["paired", "paired", "unmatched"]
    for answer in answers[:2]:
        assert "Sam Roe" not in answer.text
