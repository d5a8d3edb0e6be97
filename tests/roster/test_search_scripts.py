"""Roster search in scripts whose words are letters and marks: Hindi, Tamil, Thai.

A vowel sign or a virama (Unicode category M*) is part of the word in PostgreSQL's parser,
which stores "प्रिया" as one word; search splits what is typed the same way."""

from __future__ import annotations

from server.events import events
from tests.events.test_routes import attendee, organizer_with_event
from tests.phone import soup, text_of

PEOPLE = (
    ("प्रिया शर्मा", "priya@example.com"),
    ("கார்த்திக் சுப்பிரமணியம்", "karthik@example.com"),
    ("สมชาย ใจดี", "somchai@example.com"),
    ("Ann Åström", "ann@example.com"),
)


async def test_indic_and_thai_names_are_found_by_name_and_by_a_typed_prefix(new_phone, pool):
    _, event_id = await organizer_with_event(new_phone)
    for name, email in PEOPLE:
        await attendee(new_phone, pool, event_id, name, email=email)
    ben = await attendee(new_phone, pool, event_id, "Ben Ode")
    url = ben.url("event_people", event_id=event_id)

    async def found(typed: str) -> list[str]:
        page = await ben.get(url, params={"q": typed})
        assert page.status_code == 200, typed
        return [n.get_text() for n in soup(page).select(".name")]

    hindi, tamil, thai, swedish = (name for name, _ in PEOPLE)
    # The full name, one word of it, and what a phone shows while it is typed (a virama and
    # a vowel sign in the middle of the prefix).
    for typed in (hindi, "प्रिया", "शर्मा", "प्रि", "शर्"):
        assert await found(typed) == [hindi], typed
    for typed in (tamil, "கார்த்திக்", "சுப்பிரமணியம்", "கார்த்", "சுப்பி"):
        assert await found(typed) == [tamil], typed
    for typed in (thai, "ใจดี", "ใจ", "สมชาย ใจ"):
        assert await found(typed) == [thai], typed
    # As before: the accents are optional, and a prefix is not any substring.
    for typed in ("Ast", "astrom", "ÅSTRÖM"):
        assert await found(typed) == [swedish], typed
    assert await found("र्मा") == [], "a prefix, not any part of a word"
    assert "Nobody here matches" in text_of(await ben.get(url, params={"q": "रिया"}))


async def test_marks_alone_are_no_word_to_look_for(new_phone, pool):
    """A combining accent or a virama typed alone (or before any letter) is not a word: the
    search says so, rather than failing on an empty word (search_fold() drops the accent)."""
    _, event_id = await organizer_with_event(new_phone)
    ben = await attendee(new_phone, pool, event_id, "Ben Ode")
    url = ben.url("event_people", event_id=event_id)
    for typed in ("\u0301", "\u094d", "\u0301\u0301 \u0bcd"):
        page = await ben.get(url, params={"q": typed})
        assert page.status_code == 200, repr(typed)
        assert "Search looks for words and numbers" in text_of(page), repr(typed)


def test_prefix_query_keeps_marks_and_joiners_in_the_word():
    assert events.prefix_query("प्रिया शर्मा") == "प्रिया:* & शर्मा:*"
    assert events.prefix_query("கார்த்") == "கார்த்:*"
    assert events.prefix_query("ใจดี") == "ใจดี:*"
    # A zero-width non-joiner is inside a word for PostgreSQL too (Persian, Malayalam).
    assert events.prefix_query("مهر\u200cنوش") == "مهر\u200cنوش:*"
    # Typed decomposed (a letter, then its accent): one word; SQL drops the accent.
    assert events.prefix_query("Jose\u0301 Mu\u0308ller") == "Jose\u0301:* & Mu\u0308ller:*"
    # Marks before any letter start no word: nothing of tsquery's syntax is ever made.
    assert events.prefix_query("\u0301 \u094d") is None
    assert events.prefix_query("\u0301ab") == "ab:*"
    assert events.prefix_query("a\u0301&b:*|!c") == "a\u0301:* & b:* & c:*"
