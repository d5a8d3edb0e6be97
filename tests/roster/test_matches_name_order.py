"""'People who can help you' lists people who match as well as each other in the roster's
reading order (cards.name_key, migration 0052): case and accents folded, not by the bytes
of the name, which put "dana lee" and "Åsa Berg" after "Zoe Zed"."""

from __future__ import annotations

from bs4 import BeautifulSoup

from tests.events.test_routes import attendee, organizer_with_event


async def test_equal_matches_are_in_reading_order(new_phone, pool):
    _, event_id = await organizer_with_event(new_phone)
    me = await attendee(new_phone, pool, event_id, "Mia Park", looking_for="A photographer")
    # Every one of them helps equally (the same words): joined in an order that is neither.
    for n, name in enumerate(("Zoe Zed", "dana lee", "Bob Ray", "Åsa Berg", "Émile Roy")):
        await attendee(
            new_phone,
            pool,
            event_id,
            name,
            email=f"helper{n}@example.com",
            can_help_with="Photographer for hire",
        )
    shown = await me.get(me.url("event_matches", event_id=event_id))
    assert shown.status_code == 200
    page = BeautifulSoup(shown.text, "html.parser")
    names = [n.get_text(strip=True) for n in page.select("li .name")]
    assert names == ["Åsa Berg", "Bob Ray", "dana lee", "Émile Roy", "Zoe Zed"]
