"""Events: organizers, joining by code, and swaps tagged with the event."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest

from tests.phone import soup, text_of

# A card with nothing that a roster search in these tests would find by accident.
PLAIN = {
    "headline": "Guest",
    "company": "",
    "phone": "",
    "linkedin": "",
    "website": "",
    "looking_for": "",
    "can_help_with": "",
}


def event_form(**overrides: str) -> dict[str, str]:
    now = datetime.now(UTC)
    return {
        "name": "Lunch & Learn",
        "venue": "Library, Room 2",
        "description": "Talks and lunch",
        "starts_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (now + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "time_zone": "UTC",
        **overrides,
    }


async def organizer_with_event(new_phone, **overrides: str):
    organizer = await new_phone()
    await organizer.make_card(**PLAIN, name="Olga Organizer", email="olga@example.com")
    response = await organizer.post(organizer.url("event_create"), event_form(**overrides))
    assert response.status_code == 303, response.text
    event_id = int(response.headers["location"].rsplit("/", 1)[1])
    return organizer, event_id


async def join_code(pool, event_id: int) -> str:
    return await pool.fetchval("SELECT join_code FROM events WHERE id = $1", event_id)


async def attendee(new_phone, pool, event_id: int, name: str, **card: str):
    phone = await new_phone()
    details = {**PLAIN, "email": f"{name.split()[0].lower()}@example.com", **card}
    await phone.make_card(name=name, **details)
    code = await join_code(pool, event_id)
    response = await phone.post(phone.url("join_event_submit", code=code), {"listed": "on"})
    assert response.status_code == 303
    return phone


async def test_organizer_gets_code_link_poster_and_counts_only(new_phone, pool):
    organizer, event_id = await organizer_with_event(new_phone)
    page = await organizer.get(organizer.url("event", event_id=event_id))
    code = await join_code(pool, event_id)
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{6}", code)
    assert f"{code[:3]}-{code[3:]}" in text_of(page)
    assert re.search(rf"/j/{code}\?k=[0-9a-f]{{32}}$", soup(page).select_one("#join-link")["value"])
    poster = await organizer.get(organizer.url("event_poster", event_id=event_id))
    assert "Scan to join and swap details" in text_of(poster)
    assert soup(poster).select_one("#qr svg") is not None

    ana = await attendee(new_phone, pool, event_id, "Ana Silva")
    ben = await attendee(new_phone, pool, event_id, "Ben Ode")
    link = await ana.share_link()
    await ben.post(link + "/swap")
    contact_id = await pool.fetchval("SELECT id FROM contacts WHERE owner_id = 3")
    await ben.post(ben.url("contact_note", contact_id=contact_id), {"note": "secret about Ana"})
    await ben.post(ben.url("followup_change", contact_id=contact_id), {"action": "done"})
    page = text_of(await organizer.get(organizer.url("event", event_id=event_id)))
    joined = "Joined, all told 3 (you too, and anyone who has left since, was removed or"
    assert joined in page
    assert "Swaps made at the event 1" in page
    assert "Follow-ups done 1" in page
    for private in ("secret about Ana", "ana@example.com", "ben@example.com"):
        assert private not in page
    assert "Remove Ana Silva" in page, "who joined, by name and headline only, to remove"
    # All told: whoever leaves or is removed still joined.
    await ben.post(ben.url("event_leave", event_id=event_id))
    removed = await organizer.post(
        organizer.url("event_remove_attendee", event_id=event_id, account_id=2)
    )
    assert removed.status_code == 303
    page = text_of(await organizer.get(organizer.url("event", event_id=event_id)))
    assert "Remove Ana Silva" not in page and joined in page


async def test_every_error_of_an_event_form_is_said_at_once(new_phone, pool):
    organizer = await new_phone()
    await organizer.make_card()
    page = soup(await organizer.get(organizer.url("event_new")))
    assert page.find("input", id="ev-name")["maxlength"] == "120"
    assert page.find("textarea", id="ev-description")["maxlength"] == "2000"
    form = event_form(name="", starts_at="2026-12-01T12:00", ends_at="2026-12-01T11:00")
    response = await organizer.post(organizer.url("event_create"), form)
    assert response.status_code == 422
    assert "Give the event a name." in soup(response).select_one("#everr-name").get_text()
    assert "after the start" in soup(response).select_one("#everr-ends_at").get_text()
    assert await pool.fetchval("SELECT count(*) FROM events") == 0


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "Give the event a name."),
        ({"name": "n" * 121}, "name", "under 120 characters"),
        ({"description": "d" * 2001}, "description", "under 2000 characters"),
        ({"time_zone": "Mars/Base"}, "time_zone", "We don't know that time zone"),
        ({"starts_at": "tomorrow"}, "starts_at", "Enter a date and time"),
        (
            {"starts_at": "2026-12-01T12:00", "ends_at": "2026-12-01T11:00"},
            "ends_at",
            "after the start",
        ),
        ({"starts_at": "2026-12-01T12:00", "ends_at": "2027-01-01T11:00"}, "ends_at", "two weeks"),
        # New York's clocks go from 02:00 to 03:00 that night: 02:30 never comes.
        (
            {
                "time_zone": "America/New_York",
                "starts_at": "2027-03-14T02:30",
                "ends_at": "2027-03-14T03:00",
            },
            "starts_at",
            "That time doesn't exist there: the clocks go forward then.",
        ),
    ],
)
async def test_bad_event_forms_are_refused_and_nothing_is_made(
    new_phone, pool, overrides, field, message
):
    organizer = await new_phone()
    await organizer.make_card()
    response = await organizer.post(organizer.url("event_create"), event_form(**overrides))
    assert response.status_code == 422
    error = soup(response).select_one(f"#everr-{field}")
    assert error is not None and message in error.get_text()
    assert await pool.fetchval("SELECT count(*) FROM events") == 0


async def test_editing_validates_too_and_keeps_the_event(new_phone, pool):
    organizer, event_id = await organizer_with_event(new_phone)
    bad = await organizer.post(
        organizer.url("event_update", event_id=event_id), event_form(name="")
    )
    assert bad.status_code == 422
    ok = await organizer.post(
        organizer.url("event_update", event_id=event_id), event_form(name="Mixer")
    )
    assert ok.status_code == 303
    assert "Saved. Everyone here sees the event as it is now." in text_of(
        await organizer.get(ok.headers["location"])
    )
    assert await pool.fetchval("SELECT name FROM events") == "Mixer"
    # The list of events says which are over, and which closed.
    listing = text_of(await organizer.get(organizer.url("events")))
    assert "Mixer" in listing and "· over" not in listing and "· closed" not in listing
    await pool.execute("UPDATE events SET ends_at = now() - interval '1 minute'")
    assert "· over · you organise it" in text_of(await organizer.get(organizer.url("events")))
    await organizer.post(organizer.url("event_close", event_id=event_id))
    assert "· closed · you organise it" in text_of(await organizer.get(organizer.url("events")))
    stranger = await new_phone()
    await stranger.make_card(name="Eve")
    assert (await stranger.get(stranger.url("event_edit", event_id=event_id))).status_code == 404
    denied = await stranger.post(
        stranger.url("event_update", event_id=event_id), event_form(name="Hacked")
    )
    assert denied.status_code == 404
    assert await pool.fetchval("SELECT name FROM events") == "Mixer"


async def test_the_organizer_runs_the_event_rather_than_leaving_it(new_phone, pool):
    """Olga is offered no Leave on her own event, and a Leave sent anyway keeps her in it with
    the way to be off its list said; the one person who joined is still hers to see."""
    organizer, event_id = await organizer_with_event(new_phone)
    await attendee(new_phone, pool, event_id, "Ana Silva")
    page = soup(await organizer.get(organizer.url("event", event_id=event_id)))
    assert page.find("button", string="Leave this event") is None
    refused = await organizer.post(organizer.url("event_leave", event_id=event_id))
    assert refused.status_code == 409
    assert 'untick "Show me in the list of people here"' in text_of(refused)
    # Left in an earlier version: her list of who joined still shows Ana.
    await pool.execute("UPDATE event_attendees SET left_at = now() WHERE account_id = 1")
    page = text_of(await organizer.get(organizer.url("event", event_id=event_id)))
    assert "Remove Ana Silva" in page and "Nobody else yet" not in page


async def test_someone_with_nothing_joins_and_makes_a_card_in_one_form(new_phone, pool):
    _, event_id = await organizer_with_event(new_phone)
    code = await join_code(pool, event_id)
    visitor = await new_phone()
    page = await visitor.get(visitor.url("join_event", code=code))
    assert "Lunch & Learn" in text_of(page)
    # Signing in comes back here to join, by the signed link (a busy venue's wrong codes
    # must not refuse it: tests/events/test_join_again.py).
    sign_in = soup(page).find("a", string="Sign in")["href"]
    assert sign_in.startswith(visitor.url("sign_in") + "?next=" + quote(f"/j/{code}?k=", safe=""))
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 1, "a view joins nobody"
    bad = await visitor.post(
        visitor.url("join_event_submit", code=code), {"name": "Mia", "listed": "on"}
    )
    assert bad.status_code == 422 and "Add an email" in text_of(bad)
    response = await visitor.post(
        visitor.url("join_event_submit", code=code),
        {"name": "Mia Chen", "email": "mia@example.com"},
    )
    assert response.status_code == 303
    row = await pool.fetchrow("SELECT listed, left_at FROM event_attendees WHERE account_id = 2")
    assert row["listed"] is False and row["left_at"] is None  # the box was unticked
    welcome = await visitor.get(response.headers["location"])
    assert "You're in!" in text_of(welcome)


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("", "Type the event's code: the organizer shows or reads it out."),
        ("abc", "An event code has 6 letters and digits, like ABC-234; that was 3."),
        ("ABCDE0", "That can't be an event code: codes have no 0, O, 1, I or L"),
        ("IIIIII", "That can't be an event code"),
        ("<script>", "That can't be an event code"),
        ("\U0001f680", "That can't be an event code"),
        ("x" * 300, "An event code has 6 letters and digits, like ABC-234; that was 300."),
    ],
)
async def test_malformed_codes_are_told_what_a_code_looks_like(new_phone, pool, typed, said):
    phone = await new_phone()
    response = await phone.get(phone.url("join_code"), params={"code": typed})
    assert response.status_code == 422
    assert said in soup(response).select_one("#code-error").get_text()
    assert "<script>" not in response.text
    assert (await phone.get("/j/" + "ZZZZZZ")).status_code == 404


async def test_a_code_nobody_has_is_said_under_the_field_with_what_was_typed(new_phone, pool):
    phone = await new_phone()
    response = await phone.get(phone.url("join_code"), params={"code": "zzz-zzz"})
    assert response.status_code == 404
    field = soup(response).find("input", id="code")
    assert field["value"] == "zzz-zzz" and field["aria-invalid"] == "true"
    assert "We don't recognise that code" in soup(response).select_one("#code-error").get_text()
    assert soup(response).find("button", string="Find the event") is not None


async def test_a_closed_event_typed_by_code_is_said_under_the_field(new_phone, pool):
    organizer, event_id = await organizer_with_event(new_phone)
    await organizer.post(organizer.url("event_close", event_id=event_id))
    phone = await new_phone()
    code = await join_code(pool, event_id)
    response = await phone.get(phone.url("join_code"), params={"code": code})
    assert response.status_code == 410
    assert "This event is closed" in soup(response).select_one("#code-error").get_text()


async def test_code_typed_loosely_finds_the_event(new_phone, pool):
    _, event_id = await organizer_with_event(new_phone)
    code = await join_code(pool, event_id)
    phone = await new_phone()
    response = await phone.get(
        phone.url("join_code"), params={"code": f" {code[:3].lower()}-{code[3:]} "}
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith(phone.url("join_event", code=code) + "?k=")


async def test_someone_with_a_card_who_joins_is_told_they_are_in(new_phone, pool):
    _, event_id = await organizer_with_event(new_phone)
    mia = await attendee(new_phone, pool, event_id, "Mia Chen")
    code = await join_code(pool, event_id)
    page = await mia.get(mia.url("join_event", code=code))
    assert soup(page).find("a", string="Sign in") is None, "she has her card here"
    joined = await mia.post(mia.url("join_event_submit", code=code), {"listed": "on"})
    assert "You're in!" in text_of(await mia.get(joined.headers["location"]))


async def test_closed_event_cannot_be_joined(new_phone, pool):
    organizer, event_id = await organizer_with_event(new_phone)
    page = soup(await organizer.get(organizer.url("event", event_id=event_id)))
    close = page.find("button", string="Close the event").find_parent("details")
    assert close.summary.get_text() == "Close the event…"
    assert "A closed event can't be opened again." in close.get_text()
    assert page.select_one("#join-link") is not None
    await organizer.post(organizer.url("event_close", event_id=event_id))
    # Closed: nothing left to hand out (code, link, poster), and no second Close.
    closed = soup(await organizer.get(organizer.url("event", event_id=event_id)))
    assert "This event is closed: nobody new can join." in closed.get_text()
    assert closed.select_one("#join-link") is None and "Join code" not in closed.get_text()
    assert closed.find("a", string="Poster") is None and closed.find("a", string="Edit")
    assert closed.find("summary", string="Close the event…") is None
    code = await join_code(pool, event_id)
    phone = await new_phone()
    await phone.make_card(name="Late Larry")
    assert (await phone.get(phone.url("join_event", code=code))).status_code == 410
    response = await phone.post(phone.url("join_event_submit", code=code), {"listed": "on"})
    assert response.status_code == 410 and "closed" in text_of(response)
    assert await pool.fetchval("SELECT count(*) FROM event_attendees") == 1


async def test_an_event_over_for_good_hands_out_no_code_or_poster(new_phone, pool):
    organizer, event_id = await organizer_with_event(new_phone)
    await pool.execute(
        "UPDATE events SET starts_at = now() - interval '4 days',"
        " ends_at = now() - interval '3 days'"
    )
    page = soup(await organizer.get(organizer.url("event", event_id=event_id)))
    assert "This event is over: nobody can join it any more." in page.get_text()
    assert page.select_one("#join-link") is None and "Join code" not in page.get_text()
    assert page.find("a", string="Poster") is None
    assert page.find("summary", string="Close the event…") is None
    assert page.find("a", string="Edit") is not None


async def test_the_people_at_a_closed_event_go_on_meeting_there(new_phone, pool):
    """Closing stops newcomers; a swap between two people already there, before it ends, is
    still "Met at" the event and counted in its figures."""
    organizer, event_id = await organizer_with_event(new_phone)
    ana = await attendee(new_phone, pool, event_id, "Ana Silva")
    ben = await attendee(new_phone, pool, event_id, "Ben Ode")
    await organizer.post(organizer.url("event_close", event_id=event_id))
    swapped = await ben.post((await ana.share_link()) + "/swap")
    assert "Met at Lunch & Learn" in text_of(await ben.get(swapped.headers["location"]))
    page = text_of(await organizer.get(organizer.url("event", event_id=event_id)))
    assert "This event is closed" in page
    tagged = await pool.fetchval("SELECT count(*) FROM contacts WHERE event_id = $1", event_id)
    assert tagged == 2


async def test_at_two_events_at_once_a_swap_is_tagged_with_the_one_both_joined(new_phone, pool):
    """A conference and the meetup in its evening, both on: Ana joined both, the meetup last.
    Ben, at the conference only, met her there; Cal, at the meetup only, there; someone at
    neither, where Ana went last."""
    _, conference = await organizer_with_event(new_phone, name="Conference")
    _, meetup = await organizer_with_event(new_phone, name="Evening meetup")
    ana = await attendee(new_phone, pool, conference, "Ana Silva")
    await ana.post(ana.url("join_event_submit", code=await join_code(pool, meetup)), {})
    ben = await attendee(new_phone, pool, conference, "Ben Ode")
    cal = await attendee(new_phone, pool, meetup, "Cal Rhee")
    outsider = await new_phone()
    await outsider.make_card(name="Out Sider")
    for phone in (ben, cal, outsider):
        swapped = await phone.post((await ana.share_link()) + "/swap")
        assert swapped.status_code == 303
    met = await pool.fetch(
        "SELECT owner.name AS owner, other.name AS other, e.name AS event"
        " FROM contacts c JOIN cards owner ON owner.account_id = c.owner_id"
        " JOIN cards other ON other.account_id = c.contact_id"
        " LEFT JOIN events e ON e.id = c.event_id"
    )
    assert {(row["owner"], row["other"]): row["event"] for row in met} == {
        ("Ana Silva", "Ben Ode"): "Conference",
        ("Ben Ode", "Ana Silva"): "Conference",
        ("Ana Silva", "Cal Rhee"): "Evening meetup",
        ("Cal Rhee", "Ana Silva"): "Evening meetup",
        ("Ana Silva", "Out Sider"): "Evening meetup",
        ("Out Sider", "Ana Silva"): None,
    }


async def test_swaps_at_the_event_are_tagged_and_filterable(new_phone, pool):
    _, event_id = await organizer_with_event(new_phone)
    ana = await attendee(new_phone, pool, event_id, "Ana Silva")
    ben = await attendee(new_phone, pool, event_id, "Ben Ode")
    outsider = await new_phone()
    await outsider.make_card(name="Out Sider")
    await ben.post((await ana.share_link()) + "/swap")
    await ben.post((await outsider.share_link()) + "/swap")
    tags = dict(await pool.fetch("SELECT contact_id, event_id FROM contacts WHERE owner_id = 3"))
    assert tags == {2: event_id, 4: event_id}  # Ben was at the event for both
    contact_id = await pool.fetchval(
        "SELECT id FROM contacts WHERE owner_id = 3 AND contact_id = 2"
    )
    page = await ben.get(ben.url("contact", contact_id=contact_id))
    assert "Met at Lunch & Learn" in text_of(page)
    listing = await ben.get(ben.url("contacts"), params={"event": str(event_id)})
    assert "Ana Silva" in text_of(listing)
    # Nobody left from there (removed since): said so, with the way back to everyone.
    await pool.execute("DELETE FROM contacts WHERE owner_id = 3")
    empty = soup(await ben.get(ben.url("contacts"), params={"event": str(event_id)}))
    said = empty.select_one("#contact-list")
    assert said.get_text(" ", strip=True) == (
        "Nobody you met there is in your contacts now. Show everyone"
    )
    assert said.a["href"] == ben.url("contacts")
    outsider_view = dict(
        await pool.fetch("SELECT contact_id, event_id FROM contacts WHERE owner_id = 4")
    )
    assert outsider_view == {3: None}


async def test_my_qr_leads_to_the_event_i_am_at(new_phone, pool):
    _, event_id = await organizer_with_event(new_phone)
    elsewhere = await new_phone()
    await elsewhere.make_card()
    assert "who's here" not in text_of(await elsewhere.get(elsewhere.url("share")))
    ana = await attendee(new_phone, pool, event_id, "Ana Silva")
    [way] = [a for a in soup(await ana.get(ana.url("share"))).select("a") if "who's here" in a.text]
    assert way.get_text() == "At Lunch & Learn: who's here"
    assert way["href"] == ana.url("event", event_id=event_id)
    await ana.post(ana.url("event_leave", event_id=event_id))
    assert "who's here" not in text_of(await ana.get(ana.url("share")))


async def test_creating_an_event_with_no_card_makes_the_card_first_then_goes_on(new_phone):
    newcomer = await new_phone()
    sent = await newcomer.get(newcomer.url("event_new"))
    assert sent.status_code == 303
    assert sent.headers["location"] == newcomer.url("card") + "?then=event_new"
    page = soup(await newcomer.get(sent.headers["location"]))
    assert page.select_one("main p.notice").get_text() == (
        "Make your card first; then you can create your event."
    )
    form = page.select_one("#card-form")
    assert form.select_one("input[name=then]")["value"] == "event_new"
    # A mistake in the card keeps where it goes on to.
    refused = await newcomer.post(newcomer.url("card_save"), {"name": "", "then": "event_new"})
    assert refused.status_code == 422
    assert soup(refused).select_one("input[name=then]")["value"] == "event_new"
    saved = await newcomer.post(
        newcomer.url("card_save"), {"name": "Olga Org", "then": "event_new"}
    )
    assert saved.status_code == 303 and saved.headers["location"] == newcomer.url("event_new")
    assert "Create" in text_of(await newcomer.get(newcomer.url("event_new")))


async def test_a_card_made_with_an_unknown_then_goes_to_the_qr_code(new_phone):
    stranger = await new_phone()
    page = soup(await stranger.get(stranger.url("card") + "?then=//evil.example"))
    assert page.select_one("input[name=then]") is None
    assert page.select_one("main p.notice") is None
    saved = await stranger.post(stranger.url("card_save"), {"name": "Sam", "then": "settings"})
    assert saved.status_code == 303 and saved.headers["location"] == stranger.url("share")


async def test_an_attendee_whose_card_says_nothing_to_match_is_asked_on_the_event_page(
    new_phone, pool
):
    _, event_id = await organizer_with_event(new_phone)
    ana = await attendee(new_phone, pool, event_id, "Ana Silva")
    page = soup(await ana.get(ana.url("event", event_id=event_id)))
    section = page.select_one("#event-matching")
    assert section.h2.get_text() == "Get matched here"
    labels = [label.get_text(strip=True) for label in section.select("label")]
    assert labels == ["I'm looking for", "I can help with"]
    form = section.form
    assert form["action"] == ana.url("event_matching", event_id=event_id)

    # Too long: said in place, nothing saved.
    long = await ana.post(
        form["action"], {"looking_for": "x" * 501, "can_help_with": "Intros"}, htmx=True
    )
    assert long.status_code == 422
    assert "Please keep this under 500 characters." in text_of(long)
    assert soup(long).select_one("textarea[name=can_help_with]").get_text() == "Intros"
    assert await pool.fetchval(
        "SELECT (looking_for, can_help_with) = ('', '') FROM cards WHERE name = 'Ana Silva'"
    )

    saved = await ana.post(
        form["action"],
        {"looking_for": "A designer for my shop", "can_help_with": "Intros to recruiters"},
        htmx=True,
    )
    assert saved.status_code == 200
    assert "Saved to your card. See who can help you here" in text_of(saved)
    assert soup(saved).select_one("a")["href"] == ana.url("event_matches", event_id=event_id)
    card = await pool.fetchrow("SELECT * FROM cards WHERE name = 'Ana Silva'")
    assert (card["looking_for"], card["can_help_with"]) == (
        "A designer for my shop",
        "Intros to recruiters",
    )
    assert card["headline"] == "Guest", "the rest of the card untouched"
    # Both said: not asked again (they are on the card, to change there).
    again = soup(await ana.get(ana.url("event", event_id=event_id)))
    assert again.select_one("#event-matching") is None


async def test_saving_what_matches_me_needs_to_be_at_the_event(new_phone, pool):
    _, event_id = await organizer_with_event(new_phone)
    stranger = await new_phone()
    await stranger.make_card(name="Sam Stranger")
    url = stranger.url("event_matching", event_id=event_id)
    before = await pool.fetchval("SELECT looking_for FROM cards WHERE name = 'Sam Stranger'")
    refused = await stranger.post(url, {"looking_for": "Anything", "can_help_with": ""})
    assert refused.status_code == 404 and "That event is not one of yours." in text_of(refused)
    after = await pool.fetchval("SELECT looking_for FROM cards WHERE name = 'Sam Stranger'")
    assert after == before != "Anything"
    # Without htmx: back to the event page, saying so.
    ana = await attendee(new_phone, pool, event_id, "Ana Silva")
    plain = await ana.post(url, {"looking_for": "A designer", "can_help_with": ""})
    assert plain.status_code == 303
    said = await ana.get(plain.headers["location"])
    assert "Saved to your card." in text_of(said)
    # One of the two still empty: still asked, with what was saved in its field.
    box = soup(said).select_one("#event-matching")
    assert box.select_one("textarea[name=looking_for]").get_text() == "A designer"


async def test_an_event_s_hours_name_its_zone_for_someone_whose_clock_differs(new_phone, pool):
    """Ben's phone is on Chicago time; the event is in Jerusalem: its "17:00-21:00" says
    whose hours they are. Olga, there, sees them bare."""
    # Its hours typed as Jerusalem's clocks show them (typed as UTC's, they could fall in the
    # hour Jerusalem's clocks skip in spring, and be refused).
    jerusalem, now = ZoneInfo("Asia/Jerusalem"), datetime.now(UTC)
    olga, event_id = await organizer_with_event(
        new_phone,
        time_zone="Asia/Jerusalem",
        starts_at=(now - timedelta(hours=1)).astimezone(jerusalem).strftime("%Y-%m-%dT%H:%M"),
        ends_at=(now + timedelta(hours=2)).astimezone(jerusalem).strftime("%Y-%m-%dT%H:%M"),
    )
    await pool.execute("UPDATE accounts SET time_zone = 'Asia/Jerusalem' WHERE id = 1")
    ben = await attendee(new_phone, pool, event_id, "Ben Ode")
    await pool.execute(
        "UPDATE accounts SET time_zone = 'America/Chicago'"
        " WHERE id = (SELECT account_id FROM cards WHERE name = 'Ben Ode')"
    )
    for page in (ben.url("event", event_id=event_id), ben.url("events")):
        assert "(Jerusalem time)" in text_of(await ben.get(page))
    assert "Jerusalem time" not in text_of(await olga.get(olga.url("event", event_id=event_id)))


async def test_get_matched_here_does_not_revert_a_change_made_on_another_device(new_phone, pool):
    """Ana's phone shows "Get matched here"; meanwhile her laptop says what she is looking
    for. The phone's save does not overwrite it unseen: it says what the card says now and
    keeps what she typed; Save again replaces it knowingly."""
    _, event_id = await organizer_with_event(new_phone)
    ana = await attendee(new_phone, pool, event_id, "Ana Silva")
    form = soup(await ana.get(ana.url("event", event_id=event_id))).select_one(
        "#event-matching form"
    )
    shown = {field["name"]: field.get("value", "") for field in form.select("input[type=hidden]")}
    await pool.execute(
        "UPDATE cards SET looking_for = 'Investors', headline = 'Founder' WHERE name = 'Ana Silva'"
    )
    typed = {**shown, "looking_for": "A designer", "can_help_with": "Intros"}
    refused = await ana.post(form["action"], typed, htmx=True)
    assert refused.status_code == 409
    said = text_of(refused)
    assert "your card was changed on another phone or tab" in said
    assert "I'm looking for: “Investors”" in said
    box = soup(refused)
    assert box.select_one("textarea[name=looking_for]").get_text() == "A designer"
    card = await pool.fetchrow("SELECT * FROM cards WHERE name = 'Ana Silva'")
    assert (card["looking_for"], card["can_help_with"]) == ("Investors", "")

    # Saving again from the form that said so replaces it.
    again = {field["name"]: field.get("value", "") for field in box.select("input[type=hidden]")}
    saved = await ana.post(form["action"], {**again, **typed_fields(typed)}, htmx=True)
    assert saved.status_code == 200 and "Saved to your card." in text_of(saved)
    card = await pool.fetchrow("SELECT * FROM cards WHERE name = 'Ana Silva'")
    assert (card["looking_for"], card["can_help_with"], card["headline"]) == (
        "A designer",
        "Intros",
        "Founder",
    )


async def test_get_matched_here_is_not_refused_for_a_change_to_the_rest_of_the_card(
    new_phone, pool
):
    _, event_id = await organizer_with_event(new_phone)
    ana = await attendee(new_phone, pool, event_id, "Ana Silva")
    form = soup(await ana.get(ana.url("event", event_id=event_id))).select_one(
        "#event-matching form"
    )
    shown = {field["name"]: field.get("value", "") for field in form.select("input[type=hidden]")}
    await pool.execute("UPDATE cards SET headline = 'Founder' WHERE name = 'Ana Silva'")
    saved = await ana.post(
        form["action"], {**shown, "looking_for": "A designer", "can_help_with": ""}, htmx=True
    )
    assert saved.status_code == 200
    assert (
        await pool.fetchval("SELECT looking_for FROM cards WHERE name = 'Ana Silva'")
        == "A designer"
    )


def typed_fields(form: dict[str, str]) -> dict[str, str]:
    return {name: form[name] for name in ("looking_for", "can_help_with")}


async def test_a_twenty_first_event_in_a_day_is_refused_and_the_form_kept(new_phone, pool):
    """Organizers make a few events a day; a script making thousands would make each of its
    bumps lock thousands of event scopes."""
    organizer = await new_phone()
    await organizer.make_card()
    for n in range(20):
        made = await organizer.post(organizer.url("event_create"), event_form(name=f"Meetup {n}"))
        assert made.status_code == 303
    refused = await organizer.post(organizer.url("event_create"), event_form(name="One more"))
    assert refused.status_code == 429
    assert refused.headers["retry-after"]
    said = text_of(refused)
    assert "You have created 20 events today. Nothing was saved: please try again" in said
    assert soup(refused).select_one("input[name=name]")["value"] == "One more"
    assert await pool.fetchval("SELECT count(*) FROM events") == 20
