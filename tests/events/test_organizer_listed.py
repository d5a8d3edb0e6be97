"""The organizer is on their own event's list of people only if they say so: "Create an
event" asks with a box, ticked until unticked, as joining asks an attendee; the event's page
changes it later, as an attendee's does."""

from __future__ import annotations

from bs4 import Tag

from tests.events.test_routes import PLAIN, attendee, event_form
from tests.phone import soup, text_of, words

BOX = "Show me in the list of people at this event"


def box_labelled(page: Tag, label: str) -> Tag:
    """The checkbox a person finds by its label's words."""
    found = [
        control
        for control in page.select("label input[type=checkbox]")
        if label in words(control.find_parent("label"))
    ]
    assert len(found) == 1, label
    return found[0]


async def create_event(new_phone, *, ticked: bool):  # type: ignore[no-untyped-def]
    olga = await new_phone()
    await olga.make_card(**PLAIN, name="Olga Organizer", email="olga@example.com")
    page = soup(await olga.get(olga.url("event_new")))
    box = box_labelled(page, BOX)
    assert box.has_attr("checked")  # ticked unless she unticks it
    # What the page's form sends besides the fields typed (its hidden inputs), as a browser.
    sent = page.select_one(f"form[action='{olga.url('event_create')}']")
    form = {field["name"]: field.get("value", "") for field in sent.select("input[type=hidden]")}
    form.update(event_form())
    if ticked:
        form[box["name"]] = "on"
    response = await olga.post(olga.url("event_create"), form)
    assert response.status_code == 303, response.text
    return olga, int(response.headers["location"].rsplit("/", 1)[1])


async def test_an_organizer_who_unticks_the_box_is_not_listed(new_phone, pool):
    olga, event_id = await create_event(new_phone, ticked=False)
    ana = await attendee(new_phone, pool, event_id, "Ana Silva")
    people = text_of(await ana.get(ana.url("event_people", event_id=event_id)))
    assert "Olga Organizer" not in people
    # Her event's page offers the switch attendees have, unticked; ticking it lists her.
    page = soup(await olga.get(olga.url("event", event_id=event_id)))
    switch = page.select_one("#event-listing input[name=listed]")
    assert not switch.has_attr("checked")
    listing = olga.url("event_listing", event_id=event_id)
    assert (await olga.post(listing, {"listed": "on"}, htmx=True)).status_code == 200
    people = text_of(await ana.get(ana.url("event_people", event_id=event_id)))
    assert "Olga Organizer" in people


async def test_an_organizer_who_leaves_the_box_ticked_is_listed(new_phone, pool):
    olga, event_id = await create_event(new_phone, ticked=True)
    ana = await attendee(new_phone, pool, event_id, "Ana Silva")
    people = text_of(await ana.get(ana.url("event_people", event_id=event_id)))
    assert "Olga Organizer" in people
    # And off again from her event's page.
    listing = olga.url("event_listing", event_id=event_id)
    assert (await olga.post(listing, {})).status_code == 303
    people = text_of(await ana.get(ana.url("event_people", event_id=event_id)))
    assert "Olga Organizer" not in people


async def test_the_box_keeps_its_choice_when_the_form_comes_back(new_phone):
    olga = await new_phone()
    await olga.make_card(**PLAIN, name="Olga Organizer", email="olga@example.com")
    typed = {**event_form(name=""), "listing_asked": "1"}  # the box unticked
    response = await olga.post(olga.url("event_create"), typed)
    assert response.status_code == 422
    assert not box_labelled(soup(response), BOX).has_attr("checked")


async def test_edit_event_does_not_ask(new_phone):
    olga, event_id = await create_event(new_phone, ticked=True)
    page = soup(await olga.get(olga.url("event_edit", event_id=event_id)))
    assert BOX not in words(page)


async def test_a_form_from_before_the_box_keeps_the_organizer_listed(new_phone, pool):
    # A page open since before the box was there sends neither box nor marker: as it was then.
    olga = await new_phone()
    await olga.make_card(**PLAIN, name="Olga Organizer", email="olga@example.com")
    response = await olga.post(olga.url("event_create"), event_form())
    assert response.status_code == 303
    assert await pool.fetchval("SELECT bool_and(listed) FROM event_attendees") is True
