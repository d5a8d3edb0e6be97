"""The event form marks what it needs as the card form does: "(required)" beside Event name,
Starts and Ends is for the eye (the inputs' required attribute says it to a screen reader once),
and a time left empty is asked for, not called mistyped."""

from __future__ import annotations

from tests.events.test_routes import event_form, organizer_with_event
from tests.phone import soup, text_of

NEEDED = {"name": "Event name", "starts_at": "Starts", "ends_at": "Ends"}


def labels_of(page) -> dict[str, tuple[str, object, object]]:
    """Each input's label words without its marker, the marker, and the input."""
    found = {}
    for name in ("name", "venue", "starts_at", "ends_at", "time_zone"):
        field = page.select_one(f"input[name={name}]")
        label = page.select_one(f'label[for="{field["id"]}"]')
        marker = label.select_one(".hint")
        named = label.get_text(" ", strip=True)
        if marker is not None:
            named = named.removesuffix(marker.get_text()).strip()
        found[name] = (named, marker, field)
    return found


async def test_the_event_forms_required_fields_are_marked_as_the_card_forms(new_phone):
    olga, event_id = await organizer_with_event(new_phone)
    for url in (olga.url("event_new"), olga.url("event_edit", event_id=event_id)):
        fields = labels_of(soup(await olga.get(url)))
        for name, label in NEEDED.items():
            named, marker, field = fields[name]
            assert named == label, url
            assert field.has_attr("required"), (url, name)
            assert marker.get_text() == "(required)", (url, name)
            assert marker["aria-hidden"] == "true", (url, name)
        for name in ("venue", "time_zone"):
            assert not fields[name][2].has_attr("required"), (url, name)


async def test_times_left_empty_are_asked_for(new_phone):
    olga, _ = await organizer_with_event(new_phone)
    refused = await olga.post(olga.url("event_create"), event_form(starts_at="", ends_at=""))
    assert refused.status_code == 422
    page = soup(refused)
    assert "Enter when it starts, like 2026-12-01 12:00." in text_of(refused)
    assert "Enter when it ends, like 2026-12-01 12:00." in text_of(refused)
    assert "Enter a date and time" not in text_of(refused)
    assert page.select_one("#everr-starts_at").get_text() == (
        "Enter when it starts, like 2026-12-01 12:00."
    )
    # Something typed that is no time is still called so.
    typed = await olga.post(olga.url("event_create"), event_form(starts_at="tomorrow"))
    assert "Enter a date and time, like 2026-12-01 12:00." in text_of(typed)
