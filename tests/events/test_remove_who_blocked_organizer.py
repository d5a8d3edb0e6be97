"""A troublemaker can't block the organizer to stay: "Who joined" lists anyone hidden from her
by a block, either way, under a heading of their own, by name with Remove alone (no headline,
no card, no request), and her Remove takes them off the roster. Attendees see what they saw."""

from __future__ import annotations

import pytest

from tests.events.test_routes import attendee, organizer_with_event
from tests.phone import soup, text_of

HEADING = "Hidden from you by a block"


def hidden_section(page):  # type: ignore[no-untyped-def]
    """The list under the heading, by the heading's id (as a screen reader names it)."""
    heading = page.find("h4", string=HEADING)
    if heading is None:
        return None
    return page.find("ul", attrs={"aria-labelledby": heading["id"]})


@pytest.mark.parametrize("blocker", ["attendee", "organizer"])
async def test_the_organizer_removes_someone_hidden_from_her_by_a_block(
    new_phone, pool, blocker: str
):
    olga, event_id = await organizer_with_event(new_phone)
    mal = await attendee(new_phone, pool, event_id, "Mal Troll", headline="Troublemaker")
    dee = await attendee(new_phone, pool, event_id, "Dee Moss")
    names = dict(await pool.fetch("SELECT name, account_id FROM cards"))
    by, other = (mal, "Olga Organizer") if blocker == "attendee" else (olga, "Mal Troll")
    blocked = await by.post(by.url("event_block", event_id=event_id, account_id=names[other]))
    assert blocked.status_code == 303

    page = soup(await olga.get(olga.url("event", event_id=event_id)))
    hidden = hidden_section(page)
    assert hidden is not None, "no list of those hidden by a block"
    assert [n.get_text() for n in hidden.select(".name")] == ["Mal Troll"]
    assert "Troublemaker" not in page.get_text()  # his name, not his card
    assert hidden.find("button", string="Request to connect") is None
    # Dee is in the list above, not under the heading.
    assert hidden.find(string="Dee Moss") is None
    assert page.find("button", string="Remove Dee Moss") is not None
    # Found by name when she searches for him; not by what his card says.
    searched = soup(await olga.get(olga.url("event", event_id=event_id), params={"who": "mal"}))
    assert hidden_section(searched).find("button", string="Remove Mal Troll") is not None
    by_headline = await olga.get(olga.url("event", event_id=event_id), params={"who": "trouble"})
    assert hidden_section(soup(by_headline)) is None
    assert "Nobody here matches" in text_of(by_headline)

    # Mal, an attendee, sees his pages as before: no such list, nobody to remove.
    for url in (mal.url("event", event_id=event_id), mal.url("event_people", event_id=event_id)):
        seen = text_of(await mal.get(url))
        assert HEADING not in seen and "Remove" not in seen

    remove = hidden.find("button", string="Remove Mal Troll")
    assert remove is not None
    assert remove.find_parent("details").summary.get_text() == "Remove Mal Troll…"
    gone = await olga.post(remove.find_parent("form")["action"], {})
    assert gone.status_code == 303
    after = soup(await olga.get(gone.headers["location"]))
    assert hidden_section(after) is None and "Mal Troll" not in after.get_text()
    assert await pool.fetchval(
        "SELECT removed_at IS NOT NULL FROM event_attendees WHERE account_id = $1",
        names["Mal Troll"],
    )
    assert (await mal.get(mal.url("event_people", event_id=event_id))).status_code == 404
    assert "Mal Troll" not in text_of(await dee.get(dee.url("event_people", event_id=event_id)))
