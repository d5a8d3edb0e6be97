"""A new join code for an event whose code got out (a photo of the poster posted online): the
old code, poster and links then let nobody in, the people there stay, and only the organizer
of an event still open to newcomers can make one, a few a day."""

from __future__ import annotations

import pytest

from server.events import events, joining
from tests.events.test_routes import attendee, join_code, organizer_with_event
from tests.phone import Phone, soup, text_of

NEW_CODE_SAID = "New code made: the old poster no longer lets anyone in. Print or show this one."


async def new_code_form(organizer: Phone, event_id: int):
    """The "New join code…" form of the organizer's event page, as a person finds it."""
    page = soup(await organizer.get(organizer.url("event", event_id=event_id)))
    button = page.find("button", string="Make a new join code")
    assert button is not None, "the organizer is offered a new code"
    return page, button


async def make_new_code(organizer: Phone, event_id: int):
    _, button = await new_code_form(organizer, event_id)
    return await organizer.post(button.find_parent("form")["action"])


async def join_link(organizer: Phone, event_id: int) -> str:
    page = soup(await organizer.get(organizer.url("event", event_id=event_id)))
    return str(page.select_one("#join-link")["value"]).removeprefix("http://testserver")


async def test_a_new_code_shuts_out_the_old_poster_and_keeps_the_people_there(new_phone, pool):
    olga, event_id = await organizer_with_event(new_phone)
    ana = await attendee(new_phone, pool, event_id, "Ana Silva")
    old_code, old_link = await join_code(pool, event_id), await join_link(olga, event_id)

    page, button = await new_code_form(olga, event_id)
    # Asked twice, and said what it does before it is done, to a screen reader too.
    details = button.find_parent("details")
    assert details.summary.get_text() == "New join code…"
    said = page.find(id=button["aria-describedby"]).get_text()
    assert "the poster you printed" in said and "no longer let anyone in" in said
    assert "The people already here stay." in said
    poster = soup(await olga.get(olga.url("event_poster", event_id=event_id)))
    assert poster.find("a", string="New join code…")["href"].endswith("#new-code")

    made = await make_new_code(olga, event_id)
    assert made.status_code == 303
    shown = await olga.get(made.headers["location"])
    assert NEW_CODE_SAID in text_of(shown)
    new_code = await join_code(pool, event_id)
    assert new_code != old_code and f"{new_code[:3]}-{new_code[3:]}" in text_of(shown)
    new_link = await join_link(olga, event_id)
    assert new_link != old_link and f"/j/{new_code}?k=" in new_link

    stranger = await new_phone()
    await stranger.make_card(name="Sly Stranger")
    # The photo's QR code (its signed link), and the code typed: replaced, and said so (not
    # "we don't recognise it", as if mistyped): ask the organizer for the new one.
    for response in (
        await stranger.get(old_link),
        await stranger.post(old_link, {"listed": "on"}),
        await stranger.get(stranger.url("join_code") + f"?code={old_code}"),
    ):
        assert response.status_code == 410
        assert joining.REPLACED in text_of(response)
    assert "Join the event" in text_of(await stranger.get(new_link))
    # Those already there stay, and see the event as before.
    assert (await ana.get(ana.url("event", event_id=event_id))).status_code == 200
    assert await pool.fetchval("SELECT count(*) FROM event_attendees WHERE left_at IS NULL") == 2


async def test_only_the_organizer_of_an_open_event_makes_a_new_code(new_phone, pool):
    olga, event_id = await organizer_with_event(new_phone)
    ana = await attendee(new_phone, pool, event_id, "Ana Silva")
    code = await join_code(pool, event_id)
    new_code = olga.url("event_new_code", event_id=event_id)
    ana_sees = soup(await ana.get(ana.url("event", event_id=event_id)))
    assert ana_sees.find("button", string="Make a new join code") is None
    nobody = await new_phone()  # no card
    for phone in (ana, nobody):
        refused = await phone.post(new_code)
        assert refused.status_code == 404, refused.text
    assert "That event is not one of yours." in text_of(await ana.post(new_code))
    gone = await olga.post(olga.url("event_new_code", event_id=event_id + 1000))
    assert gone.status_code == 404 and "not one of yours" in text_of(gone)

    await olga.post(olga.url("event_close", event_id=event_id))
    closed = await olga.post(new_code)
    assert closed.status_code == 409
    assert "Nobody can join this event any more" in text_of(closed)
    page = soup(await olga.get(olga.url("event", event_id=event_id)))
    assert page.find("button", string="Make a new join code") is None

    await pool.execute("DELETE FROM sessions")  # signed out from another device
    signed_out = await olga.post(new_code)
    assert signed_out.status_code == 403 and "Nothing was changed" in text_of(signed_out)
    assert await join_code(pool, event_id) == code


async def test_a_code_another_event_has_is_drawn_again(new_phone, pool, monkeypatch):
    olga, event_id = await organizer_with_event(new_phone)
    _, other_id = await organizer_with_event(new_phone, name="Other meetup")
    taken = await join_code(pool, other_id)
    drawn = iter([taken, "ZZZ234"])
    monkeypatch.setattr(events, "new_code", lambda: next(drawn))
    assert (await make_new_code(olga, event_id)).status_code == 303
    assert await join_code(pool, event_id) == "ZZZ234"
    assert await join_code(pool, other_id) == taken


@pytest.mark.parametrize("htmx", [False, True])
async def test_new_codes_are_a_few_a_day_per_event(new_phone, pool, htmx):
    olga, event_id = await organizer_with_event(new_phone)
    new_code = olga.url("event_new_code", event_id=event_id)
    for _ in range(10):
        made = await olga.post(new_code, htmx=htmx)
        assert made.status_code == (204 if htmx else 303), made.text
    code = await join_code(pool, event_id)
    refused = await olga.post(new_code)
    assert refused.status_code == 429 and refused.headers["retry-after"]
    assert "This event has had 10 new codes today. Its code stays as it is" in text_of(refused)
    assert await join_code(pool, event_id) == code


async def test_a_closed_events_poster_offers_no_new_code(new_phone, pool):
    """The poster's "New join code…" leads to the event page's, which a closed event has not:
    no link that leads nowhere."""
    olga, event_id = await organizer_with_event(new_phone)
    await pool.execute("UPDATE events SET closed_at = now() WHERE id = $1", event_id)
    page = await olga.get(olga.url("event_poster", event_id=event_id))
    assert page.status_code == 200 and "Scan to join" in text_of(page)
    assert soup(page).find("a", string="New join code…") is None
    event_page = soup(await olga.get(olga.url("event", event_id=event_id)))
    assert event_page.select_one("#new-code") is None
