"""The organizer's "Find someone who joined" searches as the contacts search does: every
word typed, in any order, across name, headline and company; not the words as one string."""

from __future__ import annotations

from tests.events.test_routes import attendee, organizer_with_event
from tests.phone import soup


async def test_who_joined_finds_every_word_in_any_order(new_phone, pool):
    olga, event_id = await organizer_with_event(new_phone)
    await attendee(new_phone, pool, event_id, "Dana Lee", headline="Tech recruiter", company="Acme")
    await attendee(new_phone, pool, event_id, "Lee Park", headline="Designer")
    unlisted = await new_phone()
    await unlisted.make_card(
        name="Kim Ro", headline="Engineer", company="Stealthco", email="kim@example.com"
    )
    code = await pool.fetchval("SELECT join_code FROM events WHERE id = $1", event_id)
    await unlisted.post(unlisted.url("join_event_submit", code=code), {})  # not on the roster

    async def found(typed: str) -> list[str]:
        page = await olga.get(olga.url("event", event_id=event_id), params={"who": typed})
        return sorted(name.get_text() for name in soup(page).select("ul.people .name"))

    assert await found("lee dana") == ["Dana Lee"]
    assert await found("recruiter dana") == ["Dana Lee"]
    assert await found("  Recruiter   LEE ") == ["Dana Lee"]
    assert await found("acme lee") == ["Dana Lee"], "company, for someone on the roster"
    assert await found("lee") == ["Dana Lee", "Lee Park"]
    assert await found("lee designer") == ["Lee Park"]
    assert await found("dana designer") == [], "every word, not any"
    assert await found("ro engineer") == ["Kim Ro"], "name and headline, off the roster too"
    assert await found("kim stealthco") == [], "never by company off the roster"
    assert await found("50% lee") == [], "typed % is a character, not a wildcard"
