"""Roster search as you type, for words with a dot or slash inside.

PostgreSQL's parser keeps "Booking.com", "J.R.R", "node.js" and "3.5" on a card as one word
each; what is typed is looked for both as that word and as its parts, so "dana.lee" still
finds Dana Lee."""

from __future__ import annotations

from server.events import events
from tests.events.test_routes import attendee, organizer_with_event
from tests.phone import soup


async def test_dotted_names_companies_and_versions_are_found_as_they_are_typed(new_phone, pool):
    _, event_id = await organizer_with_event(new_phone)
    await attendee(new_phone, pool, event_id, "Dana Lee", company="Booking.com")
    await attendee(new_phone, pool, event_id, "J.R.R. Tolkien", email="jrr@example.com")
    await attendee(
        new_phone,
        pool,
        event_id,
        "Ann Berg",
        headline="Node.js developer",
        can_help_with="Python 3.5",
    )
    await attendee(new_phone, pool, event_id, "Uma Shah", headline="Writer and/or editor")
    ben = await attendee(new_phone, pool, event_id, "Ben Ode")
    url = ben.url("event_people", event_id=event_id)

    async def found(typed: str) -> list[str]:
        page = await ben.get(url, params={"q": typed}, headers={"HX-Request": "true"})
        assert page.status_code == 200, typed
        return [n.get_text() for n in soup(page).select(".name")]

    # Each step of typing the company, and the whole of it in any case.
    for typed in ("booking", "booking.", "booking.c", "Booking.com", "BOOKING.COM"):
        assert await found(typed) == ["Dana Lee"], typed
    # Initials with dots, as the name is written and as it is being typed.
    for typed in ("j", "j.r", "j.r.r", "J.R.R. Tolkien", "J.R.R. tol", "tolkien"):
        assert await found(typed) == ["J.R.R. Tolkien"], typed
    for typed in ("node.j", "Node.js", "node.js dev", "3.5", "python 3.5"):
        assert await found(typed) == ["Ann Berg"], typed
    assert await found("and/o") == ["Uma Shah"]
    # Typed with a dot, a name written with a space is still found, and a dot is no wildcard.
    assert await found("dana.lee") == ["Dana Lee"]
    assert await found("booking.org") == []
    assert await found("3.6") == []


def test_a_dot_or_slash_inside_a_word_is_looked_for_both_ways():
    assert events.prefix_query("booking.c") == "(booking.c:* | booking:* & c:*)"
    assert events.prefix_query("J.R.R. Tol") == "(J.R.R:* | J:* & R:* & R:*) & Tol:*"
    assert events.prefix_query("and/or") == "(and/or:* | and:* & or:*)"
    # At a word's end or start, or beside a sign, a dot only separates words.
    assert events.prefix_query("booking.") == "booking:*"
    assert events.prefix_query(".com a..b c./d") == "com:* & a:* & b:* & c:* & d:*"
    # Cut at 40 characters, the whole word does not end in its dot.
    assert events.prefix_query("a" * 39 + ".bc") == f"({'a' * 39}:* | {'a' * 39}:* & bc:*)"
