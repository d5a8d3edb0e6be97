"""The join form sent again: after a lost answer (the same try, not a second person), from a
tab left open (nothing changes for someone there already), and "Sign in" from it, which
comes back to the same signed link."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs, urlsplit

import pytest

from server.events import joining
from tests.events.test_routes import attendee, event_form, join_code, organizer_with_event
from tests.limit_counts import hits
from tests.mailing import code_sent
from tests.phone import Phone, soup, text_of
from tests.signin.test_guests import CODE

NIA = {
    "name": "Nia Park",
    "email": "nia@example.com",
    "listed": "on",
    "time_zone": "UTC",
    # The key app.js puts in the form's data-attempt input, once per try.
    "attempt": "0b7e1f2a-6c3d-4e5f-8a9b-1c2d3e4f5a6b",
}


async def poster_link(organizer: Phone, event_id: int) -> str:
    page = soup(await organizer.get(organizer.url("event", event_id=event_id)))
    return str(page.select_one("#join-link")["value"])


async def join_form(phone: Phone, link: str):
    page = soup(await phone.get(link))
    return page.find("button", string="Join the event").find_parent("form")


async def nia_parks_listed(pool, event_id: int) -> int:
    return int(
        await pool.fetchval(
            "SELECT count(*) FROM event_attendees ea JOIN cards c USING (account_id)"
            " WHERE ea.event_id = $1 AND c.name = 'Nia Park'",
            event_id,
        )
    )


@pytest.mark.parametrize("htmx", [False, True])
async def test_join_tapped_again_after_a_lost_answer_signs_in_to_the_card_it_made(
    new_phone, pool, htmx
):
    olga, event_id = await organizer_with_event(new_phone)
    nia = await new_phone()
    form = await join_form(nia, await poster_link(olga, event_id))
    key = form.find("input", attrs={"name": "attempt"})
    assert key is not None and key.has_attr("data-attempt"), "the page's script fills it"

    first = await nia.post(form["action"], NIA, htmx=htmx)
    assert first.status_code == (204 if htmx else 303)
    # The venue's Wi-Fi lost the answer, and its cookie: she taps again.
    nia.client.cookies.clear()
    again = await nia.post(form["action"], NIA, htmx=htmx)
    assert again.status_code == first.status_code
    going = "hx-redirect" if htmx else "location"
    assert again.headers[going] == first.headers[going]
    assert "You're in!" in text_of(await nia.get(again.headers[going]))

    # One of her, signed in on this phone: her card, on the roster once, counted once.
    assert "Nia Park" in text_of(await nia.get(nia.url("card")))
    assert await nia_parks_listed(pool, event_id) == 1
    assert await hits(pool, bucket="event-address-new-accounts") == 1
    ana = await attendee(new_phone, pool, event_id, "Ana Silva")
    roster = soup(await ana.get(ana.url("event_people", event_id=event_id)))
    assert [n.get_text() for n in roster.select(".name")].count("Nia Park") == 1
    assert await pool.fetchval("SELECT count(*) FROM accounts") == 3  # Olga, Nia, Ana


async def test_two_sends_of_one_try_at_once_make_one_person(new_phone, pool):
    olga, event_id = await organizer_with_event(new_phone)
    link = await poster_link(olga, event_id)
    action = (await join_form(await new_phone(), link))["action"]
    phones = [await new_phone(), await new_phone()]
    answers = await asyncio.gather(*(phone.post(action, NIA) for phone in phones))
    assert [answer.status_code for answer in answers] == [303, 303]
    assert await nia_parks_listed(pool, event_id) == 1
    for phone in phones:
        assert "Nia Park" in text_of(await phone.get(phone.url("card")))


async def test_the_same_key_at_another_event_or_later_is_another_try(new_phone, pool):
    olga, event_id = await organizer_with_event(new_phone)
    other = await olga.post(olga.url("event_create"), event_form(name="Supper Club"))
    other_id = int(other.headers["location"].rsplit("/", 1)[1])
    nia = await new_phone()
    first_action = (await join_form(nia, await poster_link(olga, event_id)))["action"]
    assert (await nia.post(first_action, NIA)).status_code == 303
    # The key a try made at one event is no key at another: she joins that one as someone new.
    nia.client.cookies.clear()
    other_action = (await join_form(nia, await poster_link(olga, other_id)))["action"]
    assert (await nia.post(other_action, NIA)).status_code == 303
    assert await nia_parks_listed(pool, other_id) == 1
    assert await pool.fetchval("SELECT count(*) FROM cards WHERE name = 'Nia Park'") == 2
    # Past its ten minutes, a try sent again is a new one too.
    await pool.execute("UPDATE link_joins SET made_at = now() - interval '11 minutes'")
    nia.client.cookies.clear()
    assert (await nia.post(first_action, NIA)).status_code == 303
    assert await nia_parks_listed(pool, event_id) == 2


@pytest.mark.parametrize("htmx", [False, True])
async def test_a_join_page_left_open_does_not_list_someone_who_hid_since(new_phone, pool, htmx):
    _olga, event_id = await organizer_with_event(new_phone)
    code = await join_code(pool, event_id)
    ana = await attendee(new_phone, pool, event_id, "Ana Silva")
    hidden = await ana.post(ana.url("event_listing", event_id=event_id), {})
    assert hidden.status_code == 303
    # The join page, still open in another tab with its box ticked, is tapped again.
    again = await ana.post(ana.url("join_event_submit", code=code), {"listed": "on"}, htmx=htmx)
    assert again.status_code == (204 if htmx else 303)
    event_page = again.headers["hx-redirect" if htmx else "location"]
    assert "You're in!" in text_of(await ana.get(event_page))
    bob = await attendee(new_phone, pool, event_id, "Bob Stone")
    roster = soup(await bob.get(bob.url("event_people", event_id=event_id)))
    assert "Ana Silva" not in [n.get_text() for n in roster.select(".name")]


async def test_a_join_form_sent_once_the_event_is_closed_changes_nothing_for_someone_in_it(
    new_phone, pool
):
    olga, event_id = await organizer_with_event(new_phone)
    code = await join_code(pool, event_id)
    ana = await new_phone()
    await ana.make_card(name="Ana Silva", email="ana@example.com")
    await ana.post(ana.url("join_event_submit", code=code), {})  # not listed
    await olga.post(olga.url("event_close", event_id=event_id))
    again = await ana.post(ana.url("join_event_submit", code=code), {"listed": "on"})
    assert again.headers["location"].startswith(ana.url("event", event_id=event_id))
    assert not await pool.fetchval(
        "SELECT listed FROM event_attendees WHERE event_id = $1 AND account_id = 2", event_id
    )


async def test_joining_again_keeps_the_choice_of_someone_there_and_takes_it_on_a_rejoin(
    new_phone, pool, app
):
    """events.join itself: two join forms sent at once by someone not yet there both get
    past the page's check; the second must not undo what the first chose."""
    _olga, event_id = await organizer_with_event(new_phone)
    ana = await new_phone()
    await ana.make_card(name="Ana Silva", email="ana@example.com")

    async def join(listed: bool) -> bool:
        await app.state.sql.run(pool, "events.join", event_id=event_id, account_id=2, listed=listed)
        return bool(
            await pool.fetchval(
                "SELECT listed FROM event_attendees WHERE event_id = $1 AND account_id = 2",
                event_id,
            )
        )

    assert await join(False) is False
    assert await join(True) is False, "there already: her choice stands"
    await ana.post(ana.url("event_leave", event_id=event_id))
    assert await join(True) is True, "back after leaving: the form's choice"


async def test_sign_in_from_the_join_page_comes_back_to_its_signed_link(
    new_phone, pool, mail, app, monkeypatch
):
    """She has a card on another phone; the venue's Wi-Fi used up its wrong-code allowance.
    "Sign in" from the poster's join page comes back to the page she scanned, not to one
    refused for the codes others mistyped."""
    monkeypatch.setattr(joining, "MAX_MISSES_PER_IP", 3)
    olga, event_id = await organizer_with_event(new_phone)
    link = await poster_link(olga, event_id)
    mia_own = await new_phone()
    await mia_own.make_card(name="Mia Chen", email="mia@example.com")
    crowd = await new_phone()
    for wrong in ("ABCDEF", "ABCDEG", "ABCDEH"):
        await crowd.get(crowd.url("join_event", code=wrong))

    mia = await new_phone()
    sign_in = soup(await mia.get(link)).find("a", string="Sign in")["href"]
    going = parse_qs(urlsplit(sign_in).query)["next"][0]
    assert going == urlsplit(link)._replace(scheme="", netloc="").geturl()
    page = soup(await mia.get(sign_in))
    assert page.select_one("[name=next]")["value"] == going
    await mia.post(mia.url("sign_in_ask"), {"email": "mia@example.com", "next": going})
    code = await code_sent(app, mail, CODE, "mia@example.com")
    signed = await mia.post(
        mia.url("sign_in_code"), {"email": "mia@example.com", "code": code, "next": going}
    )
    assert signed.status_code == 303
    back = await mia.get(signed.headers["location"])
    assert back.status_code == 200, text_of(back)[:300]
    form = soup(back).find("button", string="Join the event").find_parent("form")
    joined = await mia.post(form["action"], {"listed": "on"})
    assert joined.headers["location"].startswith(mia.url("event", event_id=event_id))


async def test_a_company_search_finds_only_who_shows_their_company_on_the_roster(new_phone, pool):
    olga, event_id = await organizer_with_event(new_phone)
    code = await join_code(pool, event_id)
    kim = await new_phone()
    await kim.make_card(
        name="Kim Ro", headline="Engineer", company="Stealthco", email="kim@example.com"
    )
    join = await kim.get(kim.url("join_event", code=code))
    assert "The organizer sees that you joined, by name and headline, either way." in text_of(join)
    await kim.post(kim.url("join_event_submit", code=code), {})  # box unticked: not listed
    await attendee(new_phone, pool, event_id, "Lea Moss", company="Stealthco")

    def who(query: str) -> str:
        return olga.url("event", event_id=event_id) + f"?who={query}"

    found = text_of(await olga.get(who("stealthco")))
    assert "Lea Moss" in found, "listed: her company is on the roster anyway"
    assert "Kim Ro" not in found, "a company search names the unlisted attendee who works there"
    assert "Kim Ro" in text_of(await olga.get(who("kim"))), "by name, as the join page says"
    assert "Kim Ro" in text_of(await olga.get(who("engineer"))), "and by headline"
