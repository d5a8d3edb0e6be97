"""An event's pages and buttons used from a browser signed out since (Settings on another
device), or whose account was deleted from another browser: they say so, with Sign in, as the
rest of the signed-in app does; never "That event is not one of yours." of one's own event."""

from __future__ import annotations

import pytest

from tests.events.test_routes import attendee, organizer_with_event
from tests.phone import soup, text_of

NOT_YOURS = "That event is not one of yours."
SIGNED_OUT = "You were signed out on this browser."

ORGANIZER = [
    ("post", "event_close", {}),
    ("post", "event_remove_attendee", {"account_id": 2}),
    ("get", "event", {}),
    ("get", "event_edit", {}),
    ("get", "event_poster", {}),
]
ATTENDEE = [
    ("post", "event_leave", {}),
    ("post", "event_listing", {}),
    ("post", "event_matching", {}),
    ("get", "event_people", {}),
    ("get", "event_matches", {}),
]


@pytest.mark.parametrize("by_htmx", [False, True])
async def test_event_actions_after_signing_out_elsewhere_say_so(new_phone, pool, by_htmx):
    olga, event_id = await organizer_with_event(new_phone)
    ana = await attendee(new_phone, pool, event_id, "Ana Silva")
    await pool.execute("DELETE FROM sessions")  # signed out from another device
    for who, actions in ((olga, ORGANIZER), (ana, ATTENDEE)):
        for method, name, params in actions:
            url = who.url(name, event_id=event_id, **params)
            if method == "post":
                answer = await who.post(url, {}, htmx=by_htmx)
            else:
                answer = await who.get(url, headers={"HX-Request": "true"} if by_htmx else None)
            said = text_of(answer)
            assert answer.status_code == 403, (name, said)
            assert SIGNED_OUT in said and NOT_YOURS not in said, (name, said)
            if method == "post":
                assert "Nothing was changed" in said, name
            assert any("sign-in" in a["href"] for a in soup(answer).select("a[href]")), name
    assert await pool.fetchval("SELECT closed_at FROM events WHERE id = $1", event_id) is None
    assert await pool.fetchval("SELECT count(*) FROM event_attendees WHERE left_at IS NULL") == 2


async def test_event_actions_after_the_account_was_deleted_elsewhere_say_that(new_phone, pool):
    olga, event_id = await organizer_with_event(new_phone)
    await pool.execute("SELECT delete_account(account_id) FROM cards WHERE name = 'Olga Organizer'")
    answer = await olga.post(olga.url("event_close", event_id=event_id), {})
    assert answer.status_code == 403
    said = text_of(answer)
    assert "It was deleted from another browser, so nothing was changed." in said
    assert NOT_YOURS not in said


async def test_a_stranger_still_gets_not_yours_and_no_sign_in(new_phone, pool):
    """A browser never signed in, and one signed in to another account, learn nothing."""
    _, event_id = await organizer_with_event(new_phone)
    stranger = await new_phone()
    answer = await stranger.post(stranger.url("event_close", event_id=event_id), {})
    assert answer.status_code == 404
    assert SIGNED_OUT not in text_of(answer)
