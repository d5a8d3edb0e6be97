"""Dana, in London, typed Gina's details on her phone (Tap, "Someone without the app"): Gina's
card took Dana's phone's zone, a guess. Gina reads "You met" in Los Angeles: the browser that
presses its "Remind me tomorrow" sends its zone (app.js fills the form's ``time_zone``), which
becomes the guest's before the reminder is timed, so "tomorrow at 09:00" is 09:00 where she
is. A zone the browser did not send, or one that is no zone, leaves the guess; an account
someone signed in to (whose zone its owner may have chosen) is never changed by the link."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from tests.mailing import link_in, running_mail_worker
from tests.phone import soup, text_of
from tests.reminders import next_morning
from tests.signin.test_guests import signs_in

LONDON = "Europe/London"
LA = "America/Los_Angeles"
GINA = {"name": "Gina Ortiz", "email": "gina@example.com"}
LOU = {"name": "Lou Park", "email": "lou@example.com"}


async def typed_by_dana_in_london(new_phone, app, mail, *guests: dict[str, str]) -> list[str]:
    """Dana, whose zone is London's, types each guest in; the link of each one's "You met"."""
    dana = await new_phone()
    await dana.make_card(time_zone=LONDON)
    for guest in guests:
        typed = await dana.post(dana.url("tap_guest"), guest)
        assert typed.status_code == 303
    async with running_mail_worker(app, mail) as worker:
        await worker.run_once()
    return [link_in(mail.received_for(guest["email"])[-1], "/m/confirm/") for guest in guests]


async def pressed_in(phone: Any, link: str, zone: str) -> httpx.Response:
    """ "Remind me tomorrow" pressed in a browser that sent ``zone``: the answer's page."""
    answer = await phone.post(link, {"time_zone": zone})
    assert answer.status_code == 303, answer.text
    return await phone.get(answer.headers["location"])


async def zone_and_due(pool: Any, name: str) -> tuple[str, datetime]:
    """The zone of ``name``'s account, and when their follow-up with Dana is due."""
    row = await pool.fetchrow(
        """SELECT a.time_zone, f.due_at FROM cards c
           JOIN accounts a ON a.id = c.account_id
           JOIN followups f ON f.owner_id = a.id
           WHERE c.name = $1""",
        name,
    )
    assert row is not None
    return row["time_zone"], row["due_at"]


def at_nine_next_morning(due: datetime, zone: str) -> bool:
    """09:00 in ``zone``, the next one to come (within a day and a night)."""
    local = due.astimezone(ZoneInfo(zone))
    now = datetime.now(ZoneInfo(zone))
    return (local.hour, local.minute) == (9, 0) and now < local <= now + timedelta(hours=29)


async def test_the_press_from_los_angeles_makes_it_09_00_there(new_phone, app, mail, pool):
    [link] = await typed_by_dana_in_london(new_phone, app, mail, GINA)
    gina = await new_phone()
    page = await gina.get(link)
    assert page.status_code == 200
    # Before the press the server cannot know her zone: it promises no London hour.
    said = text_of(page)
    assert "We will email gina@example.com tomorrow morning to remind you." in said
    assert LONDON not in said and "09:00" not in said
    # The form carries the field app.js fills with the browser's zone.
    field = soup(page).select_one('form input[type="hidden"][name="time_zone"][data-time-zone]')
    assert field is not None

    done = await pressed_in(gina, link, LA)
    assert done.status_code == 200
    assert (
        f"We will email gina@example.com {next_morning(LA)} at 09:00 ({LA}) to follow up with"
        " Dana Lee." in text_of(done)
    )
    zone, due = await zone_and_due(pool, GINA["name"])
    assert zone == LA
    assert at_nine_next_morning(due, LA), due


async def test_a_zone_that_is_none_keeps_the_guess(new_phone, app, mail, pool):
    [link] = await typed_by_dana_in_london(new_phone, app, mail, GINA)
    gina = await new_phone()
    page = await gina.get(link)
    assert "We will email gina@example.com tomorrow morning to remind you." in text_of(page)

    # A browser that could not say its zone (none, or a made-up one): no error, the guess.
    for sent in ("", "Mars/Olympus_Mons"):
        answer = await gina.post(link, {"time_zone": sent})
        assert answer.status_code == 303, answer.text
        assert (await zone_and_due(pool, GINA["name"]))[0] == LONDON, sent
    done = await gina.get(answer.headers["location"])
    assert done.status_code == 200
    assert (
        f"We will email gina@example.com {next_morning(LONDON)} at 09:00 ({LONDON}) to follow"
        " up with Dana Lee." in text_of(done)
    )
    zone, due = await zone_and_due(pool, GINA["name"])
    assert zone == LONDON
    assert at_nine_next_morning(due, LONDON), due


async def test_only_a_guest_s_zone_is_a_guess(new_phone, app, mail, pool):
    """Gina signed in since Dana typed her (the card is hers: its zone is hers to set in
    Settings); Lou never did. Both press from Los Angeles: only Lou's zone moves there."""
    gina_link, lou_link = await typed_by_dana_in_london(new_phone, app, mail, GINA, LOU)
    gina = await new_phone()
    signed = await signs_in(gina, mail, app, GINA["email"])
    assert signed.status_code == 303
    assert not await pool.fetchval(
        "SELECT a.guest FROM accounts a JOIN cards c ON c.account_id = a.id WHERE c.name = $1",
        GINA["name"],
    )
    # Her page asks for no browser's zone (signing in confirmed her address: it says when).
    page = await gina.get(gina_link)
    assert page.status_code == 200
    assert soup(page).select_one('input[name="time_zone"]') is None
    # A zone sent all the same (a page kept from before she signed in) changes nothing.
    done = await pressed_in(gina, gina_link, LA)
    assert f"at 09:00 ({LONDON}) to follow up with Dana Lee." in text_of(done)
    zone, due = await zone_and_due(pool, GINA["name"])
    assert zone == LONDON
    assert at_nine_next_morning(due, LONDON), due

    lou = await new_phone()
    done = await pressed_in(lou, lou_link, LA)
    assert f"at 09:00 ({LA}) to follow up with Dana Lee." in text_of(done)
    zone, due = await zone_and_due(pool, LOU["name"])
    assert zone == LA
    assert at_nine_next_morning(due, LA), due
