"""The Tap screen: six-digit codes (with the guessing limit), bumps, and guests typed in."""

from __future__ import annotations

import asyncio
import re
import time
from urllib.parse import quote

import pytest
from starlette.applications import Starlette

from server.tap import codes
from server.tap.routes import GONE_FROM_CROWD
from tests.events.test_routes import join_code, organizer_with_event
from tests.limit_counts import says_wait
from tests.phone import Phone, soup, text_of
from tests.waiting import eventually


async def two_phones(new_phone) -> tuple[Phone, Phone]:  # type: ignore[no-untyped-def]
    dana = await new_phone()
    await dana.make_card()
    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email="mia@example.com")
    return dana, mia


async def code_of(phone: Phone, fresh: bool = False) -> str:
    response = await phone.post(phone.url("tap_code"), {"fresh": "1"} if fresh else {}, htmx=True)
    assert response.status_code == 200
    shown = soup(response).select_one("#my-code")
    assert shown is not None
    # Swapped into #my-code-box, itself the live region: none inside it to speak twice.
    assert soup(response).select("output, [role=status], [aria-live]") == []
    return shown.get_text().replace(" ", "")


async def connections(pool, a: str, b: str) -> int:  # type: ignore[no-untyped-def]
    return int(
        await pool.fetchval(
            """SELECT count(*) FROM contacts ct
               JOIN cards x ON x.account_id = ct.owner_id
               JOIN cards y ON y.account_id = ct.contact_id
               WHERE (x.name, y.name) IN (($1, $2), ($2, $1))""",
            a,
            b,
        )
    )


async def test_tap_screen_needs_a_card_and_shows_the_ways_to_swap(new_phone):
    stranger = await new_phone()
    response = await stranger.get(stranger.url("tap"))
    assert response.status_code == 303
    assert response.headers["location"] == stranger.url("card")

    dana = await new_phone()
    await dana.make_card()
    page = text_of(await dana.get(dana.url("tap")))
    for words in ("Tap to swap", "Turn on bump", "Their code", "Scan their code"):
        assert words in page


async def test_code_swap_connects_both_ways_after_a_wrong_code(new_phone, pool):
    dana, mia = await two_phones(new_phone)
    code = await code_of(dana)
    assert len(code) == 6 and code.isdigit()
    assert await code_of(dana) == code, "reopening the Tap screen keeps the same code"

    wrong = "000000" if code != "000000" else "111111"
    response = await mia.post(mia.url("tap_code_enter"), {"code": wrong}, htmx=True)
    assert response.status_code == 404
    assert codes.WRONG in text_of(response)
    assert await connections(pool, "Dana Lee", "Mia Chen") == 0

    # Typed on a phone set to Arabic: Arabic-Indic digits, spaced as the screen shows it.
    arabic = "".join(chr(0x0660 + int(digit)) for digit in code)
    spaced = f"{arabic[:3]} {arabic[3:]}"
    response = await mia.post(mia.url("tap_code_enter"), {"code": spaced}, htmx=True)
    assert response.status_code == 204
    contact = await mia.get(response.headers["HX-Redirect"])
    assert soup(contact).h1.get_text(strip=True) == "Dana Lee"
    assert "Mia Chen" in text_of(await dana.get(dana.url("contacts")))
    assert await connections(pool, "Dana Lee", "Mia Chen") == 2


async def test_my_tap_screen_learns_who_swapped_with_my_code_or_that_it_expired(new_phone, pool):
    dana, mia = await two_phones(new_phone)
    shown = await dana.post(dana.url("tap_code"), {}, htmx=True)
    code = soup(shown).select_one("#my-code").get_text().replace(" ", "")
    poll = soup(shown).select_one("[hx-trigger='every 3s']")["hx-get"]
    assert poll == dana.url("tap_code_state", code=code)
    htmx = {"HX-Request": "true"}
    assert (await dana.get(poll, headers=htmx)).status_code == 204, "waiting: nothing changes"
    assert (await mia.post(mia.url("tap_code_enter"), {"code": code})).status_code == 303
    swapped = await dana.get(poll, headers=htmx)
    assert swapped.status_code == 286, "286 stops htmx polling"
    assert "Swapped with Mia Chen! Your code is used up." in text_of(swapped)
    contact_id = await pool.fetchval("SELECT id FROM contacts WHERE owner_id = 1")
    [open_mia] = soup(swapped).find_all("a", string="Open Mia Chen")
    assert open_mia["href"] == dana.url("contact", contact_id=contact_id)
    # Expired, or not mine (never drawn, or someone else's): the same, and polling stops.
    later = await code_of(dana)
    await pool.execute("UPDATE swap_codes SET expires_at = now() WHERE code = $1", later)
    expired = await dana.get(dana.url("tap_code_state", code=later), headers=htmx)
    assert expired.status_code == 286 and "Your code expired." in text_of(expired)
    not_mine = await mia.get(dana.url("tap_code_state", code=later), headers=htmx)
    assert not_mine.status_code == 286 and not_mine.text == expired.text


async def test_used_expired_own_and_malformed_codes_are_refused(new_phone, pool):
    dana, mia = await two_phones(new_phone)
    sam = await new_phone()
    await sam.make_card(name="Sam Roe", email="sam@example.com")
    code = await code_of(dana)

    # Her own code in the "Their code" box: said so, and not counted as a guess against her
    # or her code (which guesses next to it would otherwise kill).
    own = await dana.post(dana.url("tap_code_enter"), {"code": code})
    assert own.status_code == 422 and codes.OWN_CODE in text_of(own)
    assert await pool.fetchval("SELECT near_misses FROM swap_codes") == 0
    malformed = await mia.post(mia.url("tap_code_enter"), {"code": "12ab"})
    assert malformed.status_code == 422 and codes.MALFORMED in text_of(malformed)

    assert (await mia.post(mia.url("tap_code_enter"), {"code": code})).status_code == 303
    again = await mia.post(mia.url("tap_code_enter"), {"code": code})
    assert again.status_code == 303, "typing it twice is the same swap, not an error"
    reused = await sam.post(mia.url("tap_code_enter"), {"code": code})
    assert reused.status_code == 404 and codes.WRONG in text_of(reused)
    # Dana removes Mia: Mia's used code does not put her back in Dana's contacts.
    contact = await pool.fetchval("SELECT id FROM contacts WHERE contact_id = 2")
    await dana.post(dana.url("contact_remove", contact_id=contact))
    after_removal = await mia.post(mia.url("tap_code_enter"), {"code": code})
    assert after_removal.status_code == 404 and codes.WRONG in text_of(after_removal)
    assert await connections(pool, "Dana Lee", "Mia Chen") == 0

    fresh = await code_of(dana, fresh=True)
    assert fresh != code
    await pool.execute("UPDATE swap_codes SET expires_at = now() - interval '1 second'")
    expired = await sam.post(sam.url("tap_code_enter"), {"code": fresh})
    assert expired.status_code == 404 and codes.WRONG in text_of(expired)
    assert await connections(pool, "Dana Lee", "Sam Roe") == 0


async def test_guessing_stops_at_the_limit_even_with_the_right_code(new_phone, pool):
    dana, mia = await two_phones(new_phone)
    code = await code_of(dana)
    wrong = [f"{n:06d}" for n in range(100) if f"{n:06d}" != code]
    answers = await asyncio.gather(
        *(
            mia.post(mia.url("tap_code_enter"), {"code": guess})
            for guess in wrong[: codes.MAX_MISSES_PER_ACCOUNT + 5]
        )
    )
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses.count(404) == codes.MAX_MISSES_PER_ACCOUNT, "concurrent guesses too"
    assert statuses.count(429) == 5
    blocked = await mia.post(mia.url("tap_code_enter"), {"code": code})
    says_wait(blocked, codes.TOO_MANY)
    assert await connections(pool, "Dana Lee", "Mia Chen") == 0


async def test_guessing_is_limited_per_address_across_accounts(new_phone, pool, monkeypatch):
    monkeypatch.setattr(codes, "MAX_MISSES_PER_IP", 4)
    dana = await new_phone()
    await dana.make_card()
    code = await code_of(dana)
    guessers = []
    for n in range(3):
        phone = await new_phone()
        await phone.make_card(name=f"Guesser {n}", email=f"g{n}@example.com")
        guessers.append(phone)
    wrong = "000000" if code != "000000" else "111111"
    statuses = [
        (await phone.post(phone.url("tap_code_enter"), {"code": wrong})).status_code
        for phone in guessers + guessers[:2]
    ]
    assert statuses == [404, 404, 404, 404, 429]


async def test_guessing_from_ipv6_neighbours_is_limited_by_their_slash_64(
    new_phone, visitor, pool, monkeypatch
):
    monkeypatch.setattr(codes, "MAX_MISSES_PER_IP", 2)
    dana = await new_phone()
    await dana.make_card()
    code = await code_of(dana)
    wrong = "000000" if code != "000000" else "111111"
    statuses = []
    for n in range(3):
        guesser = await visitor(f"2001:db8:9:9::{n + 1}")
        await guesser.make_card(name=f"Guesser {n}", email=f"g{n}@example.com")
        guessed = await guesser.post(guesser.url("tap_code_enter"), {"code": wrong})
        statuses.append(guessed.status_code)
    assert statuses == [404, 404, 429]


async def test_guessing_from_many_slash_64s_of_one_slash_48_is_limited_by_the_slash_48(
    new_phone, visitor, pool, monkeypatch
):
    """A subscriber given a /48 has 65,536 /64s, each with a budget of its own: a new /64 for
    every guess gets no further than the /48's budget, with the same answer."""
    monkeypatch.setattr(codes, "MAX_MISSES_PER_IPV6_48", 2)
    dana = await new_phone()
    await dana.make_card()
    code = await code_of(dana)
    wrong = "000000" if code != "000000" else "111111"
    answers = []
    for n in range(3):
        guesser = await visitor(f"2001:db8:7:{n + 1}::1")
        await guesser.make_card(name=f"Guesser {n}", email=f"g{n}@example.com")
        answers.append(await guesser.post(guesser.url("tap_code_enter"), {"code": wrong}))
    assert [answer.status_code for answer in answers] == [404, 404, 429]
    says_wait(answers[-1], codes.TOO_MANY)
    # The right code from that /48 is refused too; from the next /48, a wrong one still counts.
    blocked = await visitor("2001:db8:7:ffff::1")
    await blocked.make_card(name="Lee Hall", email="lee@example.com")
    says_wait(await blocked.post(blocked.url("tap_code_enter"), {"code": code}), codes.TOO_MANY)
    assert await connections(pool, "Dana Lee", "Lee Hall") == 0
    neighbour = await visitor("2001:db8:8:1::1")
    await neighbour.make_card(name="Ana Diaz", email="ana@example.com")
    elsewhere = await neighbour.post(neighbour.url("tap_code_enter"), {"code": wrong})
    assert elsewhere.status_code == 404


async def test_guest_typed_on_my_phone_becomes_a_contact(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    bad = await dana.post(dana.url("tap_guest"), {"name": "Lou Park"}, htmx=True)
    assert bad.status_code == 422
    # Dana types for Lou: what is missing is Lou's, not hers.
    assert "Add their email, phone number or LinkedIn profile, so you can reach them." in (
        text_of(bad)
    )
    nameless = await dana.post(dana.url("tap_guest"), {"email": "lou@example.com"}, htmx=True)
    assert nameless.status_code == 422
    assert soup(nameless).select_one("#qerr-name").get_text(strip=True) == (
        "Please enter their name."
    )
    assert await pool.fetchval("SELECT count(*) FROM contacts") == 0

    response = await dana.post(
        dana.url("tap_guest"), {"name": "Lou Park", "email": "lou@example.com"}
    )
    assert response.status_code == 303
    contact = await dana.get(response.headers["location"])
    assert soup(contact).h1.get_text(strip=True) == "Lou Park"
    assert "lou@example.com" in text_of(contact)
    assert (
        "Lou Park is in your contacts. We'll email them your card if we can: we limit how many"
        " emails an address gets each day. Reach out to them yourself too."
    ) in text_of(contact)
    assert soup(contact).select_one(".notice bdi").get_text() == "Lou Park"  # set apart
    # A name that looks like markup is shown as typed, in the notice too.
    marked = await dana.post(
        dana.url("tap_guest"), {"name": "<b>Bo</b>", "email": "bo@example.com"}
    )
    page = soup(await dana.get(marked.headers["location"]))
    [notice] = [n for n in page.select(".notice") if "in your contacts" in n.get_text()]
    assert notice.select("b") == [] and "<b>Bo</b> is in your contacts" in notice.get_text()
    assert await pool.fetchval("SELECT count(*) FROM sessions") == 1, "no session for the guest"

    # No email: nothing reaches them, and the page does not pretend it did.
    phone_only = await dana.post(
        dana.url("tap_guest"), {"name": "Phoebe Only", "phone": "+1 415 555 0199"}
    )
    page = text_of(await dana.get(phone_only.headers["location"]))
    assert "They left no email, so we can't send them your card" in page
    assert "has your card" not in page and "we emailed" not in page

    # An address that asked us never to write again: typed in, but nothing goes to it.
    await pool.execute(
        "INSERT INTO email_addresses (address, unsubscribed_at) VALUES ('no@example.com', now())"
    )
    refused = await dana.post(dana.url("tap_guest"), {"name": "Nora No", "email": "no@example.com"})
    page = text_of(await dana.get(refused.headers["location"]))
    assert (
        "Nora No is in your contacts. We'll email them your card if we can: we limit how many"
        " emails an address gets each day. Reach out to them yourself too." in page
    )
    assert "we emailed" not in page


class LongPolls:
    """The Bump pages' long polls (bump_status) of ``app``: how many wait for a change now,
    in the listener (server/tap/bumps.py, wait_for_change), having read their bump."""

    def __init__(self, app: Starlette, monkeypatch: pytest.MonkeyPatch) -> None:
        self.waiting = 0
        listener = app.state.listener
        wait = listener.wait

        async def counted(event: asyncio.Event, seconds: float) -> None:
            self.waiting += 1
            try:
                await wait(event, seconds)
            finally:
                self.waiting -= 1

        monkeypatch.setattr(listener, "wait", counted)

    async def until_waiting(self, count: int, what: str) -> None:
        """Until ``count`` wait: a change made now is one they hear of, not one they read."""
        await eventually(lambda: asyncio.sleep(0, self.waiting >= count), what)


@pytest.fixture
def long_polls(app: Starlette, monkeypatch: pytest.MonkeyPatch) -> LongPolls:
    return LongPolls(app, monkeypatch)


async def until_bumps_in(pool, count: int, what: str) -> None:  # type: ignore[no-untyped-def]
    """Until ``count`` bumps are recorded: a report sent after this comes after theirs."""

    async def recorded() -> bool:
        return bool(await pool.fetchval("SELECT count(*) FROM bumps") >= count)

    await eventually(recorded, what)


async def bump(phone: Phone, at_ms: float | None = None, force: float = 25.0):  # type: ignore[no-untyped-def]
    return await phone.post(
        phone.url("bump_create"),
        {"bumped_at": str(at_ms if at_ms is not None else time.time() * 1000), "force": f"{force}"},
        headers={"accept": "application/json"},
    )


async def three_bump_at_once(new_phone, pool):  # type: ignore[no-untyped-def]
    """Dana, Mia and Sam bump within 20 ms: the phones, the moment, and what each phone
    shows once all three are in.

    The three reports reach the server together, as on a quiet server: held at the door
    (the bumps table locked) until all three wait there, then recorded back to back. Even
    so, a busy test machine can take longer than a pair's settling moment (80 ms) to get
    the third one in: the first two are then told of a pair, which the third retracts and
    their pages' long-polls show. So the answers are read again once all three are in."""
    dana, mia = await two_phones(new_phone)
    sam = await new_phone()
    await sam.make_card(name="Sam Roe", email="sam@example.com")
    async with pool.acquire() as door, door.transaction():
        await door.execute("LOCK TABLE bumps IN SHARE MODE")
        now = time.time() * 1000
        reports = [
            asyncio.create_task(bump(phone, now + offset))
            for phone, offset in ((dana, 0), (mia, 10), (sam, 20))
        ]
        # Waiting at the door: the first report at the table, holding its scope's pairing
        # lock, and the others queued on that lock. Not any lock wait: the limits' advisory
        # locks, taken first, are waited on for a moment, and counting those opened the
        # door before the third report was in (seen once in CI).
        waiting = """
            WITH door AS (
                SELECT pid FROM pg_locks WHERE NOT granted AND relation = 'bumps'::regclass
            ), scope AS (
                SELECT classid, objid FROM pg_locks
                WHERE granted AND locktype = 'advisory' AND pid IN (SELECT pid FROM door)
            )
            SELECT (SELECT count(*) FROM door) + (
                SELECT count(*) FROM pg_locks l JOIN scope USING (classid, objid)
                WHERE NOT l.granted AND l.locktype = 'advisory')"""

        async def all_three_there() -> bool:
            return bool(await pool.fetchval(waiting) >= 3)

        await eventually(all_three_there, "the three reports waiting at the door")
    first_answers = await asyncio.gather(*reports)
    answers = [
        await phone.get(
            phone.url("bump_status", bump_id=answer.json()["bump_id"]),
            headers={"accept": "application/json"},
        )
        for phone, answer in zip((dana, mia, sam), first_answers, strict=True)
    ]
    return (dana, mia, sam), now, answers


async def test_two_bumps_pair_and_swap_when_both_confirm(new_phone, pool, long_polls):
    dana, mia = await two_phones(new_phone)
    now = time.time() * 1000
    first, second = await asyncio.gather(bump(dana, now), bump(mia, now + 30))
    assert first.json()["state"] == second.json()["state"] == "paired"
    assert first.json()["partner_name"] == "Mia Chen"
    assert second.json()["partner_name"] == "Dana Lee"

    dana_bump, mia_bump = first.json()["bump_id"], second.json()["bump_id"]
    confirmed = await dana.post(dana.url("bump_confirm", bump_id=dana_bump), htmx=True)
    assert "Waiting for Mia Chen to confirm" in text_of(confirmed)
    assert await connections(pool, "Dana Lee", "Mia Chen") == 0

    waiting = asyncio.create_task(
        dana.get(
            dana.url("bump_status", bump_id=dana_bump) + "?seen=confirmed/paired/",
            headers={"HX-Request": "true"},
        )
    )
    await long_polls.until_waiting(1, "Dana's page waiting for Mia's answer")
    done = await mia.post(mia.url("bump_confirm", bump_id=mia_bump), htmx=True)
    assert done.status_code == 204
    assert (await mia.get(done.headers["HX-Redirect"])).status_code == 200
    woken = await asyncio.wait_for(waiting, 5)
    assert woken.status_code == 204, "the long poll wakes as soon as the other says yes"
    dana_contact = await dana.get(woken.headers["HX-Redirect"])
    assert soup(dana_contact).h1.get_text(strip=True) == "Mia Chen"
    assert await connections(pool, "Dana Lee", "Mia Chen") == 2


async def test_a_bump_whose_contact_was_removed_since_leads_to_the_list(new_phone, pool):
    """Dana and Mia swapped by bump; Mia removed Dana at once. Dana's page, still asking
    about the bump, is sent to her contacts (where Mia is no longer), not to an error."""
    dana, mia = await two_phones(new_phone)
    now = time.time() * 1000
    first, second = await asyncio.gather(bump(dana, now), bump(mia, now + 30))
    dana_bump, mia_bump = first.json()["bump_id"], second.json()["bump_id"]
    await dana.post(dana.url("bump_confirm", bump_id=dana_bump), htmx=True)
    done = await mia.post(mia.url("bump_confirm", bump_id=mia_bump), htmx=True)
    mia_contact = done.headers["HX-Redirect"].split("?")[0]
    await mia.post(mia_contact + "/remove")
    assert await connections(pool, "Dana Lee", "Mia Chen") == 0

    asked = await dana.get(
        dana.url("bump_status", bump_id=dana_bump), headers={"HX-Request": "true"}
    )
    assert asked.status_code == 204
    assert asked.headers["HX-Redirect"] == dana.url("contacts")
    as_json = await dana.get(
        dana.url("bump_status", bump_id=dana_bump), headers={"accept": "application/json"}
    )
    assert as_json.status_code == 200
    assert as_json.json()["state"] == "swapped" and as_json.json()["url"] == dana.url("contacts")


async def test_the_first_bump_waits_for_a_partner_whose_report_comes_later(new_phone, pool):
    dana, mia = await two_phones(new_phone)
    now = time.time() * 1000

    async def late_mia():  # type: ignore[no-untyped-def]
        # Mia's phone is on slow Wi-Fi: her report comes once Dana's is in, waiting.
        await until_bumps_in(pool, 1, "Dana's report")
        return await bump(mia, now + 15)

    first, second = await asyncio.gather(bump(dana, now), late_mia())
    assert first.json()["state"] == "paired", "Dana's phone waited for Mia's report"
    assert first.json()["partner_name"] == "Mia Chen"
    assert second.json()["state"] == "paired"


async def test_two_bumps_whose_reports_both_arrive_late_on_slow_wifi_still_pair(new_phone, pool):
    """The venue's Wi-Fi took 1.8 s to carry both reports of one bump (accepted: under
    ``MAX_AGE_MS``), Mia's a moment after Dana's: Dana's waits for it, and they pair."""
    dana, mia = await two_phones(new_phone)
    at = time.time() * 1000 - 1800

    async def mia_a_moment_later():  # type: ignore[no-untyped-def]
        await until_bumps_in(pool, 1, "Dana's report")
        return await bump(mia, at + 10)

    first, second = await asyncio.gather(bump(dana, at), mia_a_moment_later())
    assert first.json()["state"] == second.json()["state"] == "paired"
    assert first.json()["partner_name"] == "Mia Chen"


async def test_not_them_tells_both_and_connects_nobody(new_phone, pool):
    dana, mia = await two_phones(new_phone)
    now = time.time() * 1000
    first, second = await asyncio.gather(bump(dana, now), bump(mia, now + 10))
    declined = await mia.post(mia.url("bump_decline", bump_id=second.json()["bump_id"]), htmx=True)
    assert "one of you said it wasn't them" in text_of(declined)
    dana_view = await dana.get(dana.url("bump_status", bump_id=first.json()["bump_id"]))
    assert "one of you said it wasn't them" in text_of(dana_view)
    late = await dana.post(dana.url("bump_confirm", bump_id=first.json()["bump_id"]), htmx=True)
    assert "Swap with" not in text_of(late)
    assert await connections(pool, "Dana Lee", "Mia Chen") == 0


async def test_three_bumps_at_once_ask_everyone_to_try_again(new_phone, pool):
    (_dana, _mia, _sam), _now, answers = await three_bump_at_once(new_phone, pool)
    assert [answer.json()["state"] for answer in answers] == ["ambiguous"] * 3


async def test_a_lone_bump_hears_nobody_bumped_back(new_phone):
    dana = await new_phone()
    await dana.make_card()
    started = time.monotonic()
    answer = await dana.post(
        dana.url("bump_create"), {"bumped_at": str(time.time() * 1000)}, htmx=True
    )
    assert "No phone bumped back" in text_of(answer)
    assert "another network (mobile data, another Wi-Fi) or not in this event" in text_of(answer)
    assert time.monotonic() - started < 3


@pytest.mark.parametrize("offset_ms", [-60_000, 10_000])
async def test_bumps_with_forged_times_are_refused(new_phone, pool, offset_ms):
    dana, mia = await two_phones(new_phone)
    at = time.time() * 1000 + offset_ms
    answers = await asyncio.gather(bump(dana, at), bump(mia, at))
    assert [answer.status_code for answer in answers] == [422, 422]
    assert "too far from ours" in answers[0].json()["message"]
    assert await pool.fetchval("SELECT count(*) FROM bumps") == 0


async def test_bumps_in_different_events_never_pair(new_phone, pool):
    dana, mia = await two_phones(new_phone)
    for phone, name in ((dana, "Fashion night"), (mia, "Robotics meetup")):
        account = await pool.fetchval(
            "SELECT account_id FROM cards WHERE name = $1",
            "Dana Lee" if phone is dana else "Mia Chen",
        )
        event = await pool.fetchval(
            """INSERT INTO events (organizer_id, name, join_code, starts_at, ends_at, time_zone)
               VALUES ($1, $2, $3, now() - interval '1 hour', now() + interval '1 hour', 'UTC')
               RETURNING id""",
            account,
            name,
            "ABCDEF" if phone is dana else "GHJKMN",
        )
        await pool.execute(
            "INSERT INTO event_attendees (event_id, account_id) VALUES ($1, $2)", event, account
        )
    now = time.time() * 1000
    answers = await asyncio.gather(bump(dana, now), bump(mia, now))
    assert [answer.json()["state"] for answer in answers] == ["unmatched", "unmatched"]


async def test_in_a_crowd_two_who_pick_each_other_are_swapped(new_phone, pool, long_polls):
    (dana, mia, sam), _now, answers = await three_bump_at_once(new_phone, pool)
    assert [answer.json()["state"] for answer in answers] == ["ambiguous"] * 3
    dana_bump, mia_bump, sam_bump = (answer.json()["bump_id"] for answer in answers)
    listed = {choice["name"] for choice in answers[0].json()["choices"]}
    assert listed == {"Mia Chen", "Sam Roe"}

    page = await dana.get(dana.url("bump_status", bump_id=dana_bump))
    assert "Several phones bumped at once. Try again." in text_of(page)
    assert "Or pick who you bumped: Mia Chen" in text_of(page)

    picked = await dana.post(
        dana.url("bump_choose", bump_id=dana_bump), {"choice": str(mia_bump)}, htmx=True
    )
    assert "Waiting for Mia Chen to pick you too" in text_of(picked)
    assert await connections(pool, "Dana Lee", "Mia Chen") == 0

    # Sam picks Dana, who picked Mia: nothing happens for Sam.
    await sam.post(sam.url("bump_choose", bump_id=sam_bump), {"choice": str(dana_bump)})
    assert await connections(pool, "Dana Lee", "Sam Roe") == 0
    sam_waits = asyncio.create_task(
        sam.get(
            sam.url("bump_status", bump_id=sam_bump) + f"?seen=ambiguous//{dana_bump}",
            headers={"HX-Request": "true"},
        )
    )

    waiting = asyncio.create_task(
        dana.get(
            dana.url("bump_status", bump_id=dana_bump) + f"?seen=ambiguous//{mia_bump}",
            headers={"HX-Request": "true"},
        )
    )
    await long_polls.until_waiting(2, "Sam's and Dana's pages waiting")
    done = await mia.post(
        mia.url("bump_choose", bump_id=mia_bump), {"choice": str(dana_bump)}, htmx=True
    )
    assert done.status_code == 204
    assert soup(await mia.get(done.headers["HX-Redirect"])).h1.get_text(strip=True) == "Dana Lee"
    woken = await asyncio.wait_for(waiting, 5)
    assert woken.status_code == 204
    assert soup(await dana.get(woken.headers["HX-Redirect"])).h1.get_text(strip=True) == "Mia Chen"
    assert await connections(pool, "Dana Lee", "Mia Chen") == 2
    assert await connections(pool, "Dana Lee", "Sam Roe") == 0
    # Sam, waiting for Dana to pick him too, is told at once that she is gone.
    freed = await asyncio.wait_for(sam_waits, 5)
    assert "Waiting for" not in text_of(freed)
    assert "Several phones bumped at once. Try again." in text_of(freed)
    assert soup(freed).find("button", string=re.compile("Mia Chen|Dana Lee")) is None

    # Sam's list is old now: picking Mia says so and shows the list as it is (nobody left).
    late = await sam.post(
        sam.url("bump_choose", bump_id=sam_bump), {"choice": str(mia_bump)}, htmx=True
    )
    assert late.status_code == 409
    assert soup(late).find(role="alert").get_text(strip=True) == GONE_FROM_CROWD
    assert soup(late).find("button", string=re.compile("Mia Chen|Dana Lee")) is None


async def test_a_pick_list_checked_again_loses_those_who_swapped_meanwhile(new_phone, pool):
    (dana, mia, sam), _now, answers = await three_bump_at_once(new_phone, pool)
    dana_bump, mia_bump, sam_bump = (answer.json()["bump_id"] for answer in answers)
    htmx = {"HX-Request": "true"}
    page = soup(await sam.get(sam.url("bump_status", bump_id=sam_bump), headers=htmx))
    checking = page.find(attrs={"hx-trigger": "every 3s"})
    assert "Or pick who you bumped:" in checking.get_text(" ", strip=True)
    check = checking["hx-get"]
    # Nothing changed: nothing to swap under Sam's finger.
    assert (await sam.get(check, headers=htmx)).status_code == 204

    await dana.post(dana.url("bump_choose", bump_id=dana_bump), {"choice": str(mia_bump)})
    await mia.post(mia.url("bump_choose", bump_id=mia_bump), {"choice": str(dana_bump)})
    assert await connections(pool, "Dana Lee", "Mia Chen") == 2

    now = await sam.get(check, headers=htmx)
    assert now.status_code == 200
    assert "Several phones bumped at once. Try again." in text_of(now)
    assert soup(now).find("button", string=re.compile("Mia Chen|Dana Lee")) is None
    assert soup(now).find(attrs={"hx-trigger": "every 3s"}) is None  # nobody left to check


async def test_picking_someone_outside_my_crowd_is_refused(new_phone, pool):
    (dana, mia, _sam), now, answers = await three_bump_at_once(new_phone, pool)
    dana_bump = answers[0].json()["bump_id"]
    # A bump of Mia's well apart from the crowd's moment, yet young enough for the server
    # (MAX_AGE_MS, 3 s): 2 s before it, or, on a machine slow enough that that is too old by
    # now, this moment (taken at once, it was at least 0.7 s after the crowd's).
    since = time.time() * 1000 - now
    far = await bump(mia, now - 2000 if since < 700 else None)
    assert far.status_code == 200, far.text
    for choice in (str(far.json()["bump_id"]), "nope", str(dana_bump)):
        refused = await dana.post(
            dana.url("bump_choose", bump_id=dana_bump), {"choice": choice}, htmx=True
        )
        assert refused.status_code == 409
        assert "no longer in the list" in text_of(refused)
    assert await pool.fetchval("SELECT count(*) FROM bumps WHERE chosen_id IS NOT NULL") == 0


async def test_a_bump_deleted_while_its_page_waits_is_answered_as_gone(new_phone, pool, long_polls):
    dana = await new_phone()
    await dana.make_card()
    alone = (await bump(dana)).json()
    assert alone["state"] == "unmatched"
    waiting = asyncio.create_task(
        dana.get(
            dana.url("bump_status", bump_id=alone["bump_id"]) + f"?seen={quote(alone['seen'])}",
            headers={"accept": "application/json"},
        )
    )
    await long_polls.until_waiting(1, "the page waiting")
    # Bumps are kept a short while (server/privacy/retention.py): one can go mid-wait.
    await pool.execute("DELETE FROM bumps WHERE id = $1", alone["bump_id"])
    await pool.execute("SELECT pg_notify('bumps', $1::text)", str(alone["bump_id"]))
    gone = await asyncio.wait_for(waiting, 5)
    assert gone.status_code == 404
    assert "it is gone. Bump again." in text_of(gone)


async def test_every_short_form_says_the_name_is_required_as_the_card_form_does(new_phone, pool):
    """A screen reader hears "Name, required" on each: the attribute says it, and the
    "(required)" beside the label is for the eye only."""
    dana = await new_phone()
    await dana.make_card()
    _, event_id = await organizer_with_event(new_phone)
    stranger = await new_phone()
    pages = {
        "tap": await dana.get(dana.url("tap")),
        "card link": await stranger.get(await dana.share_link()),
        "join": await stranger.get(
            stranger.url("join_event", code=await join_code(pool, event_id))
        ),
        "card form": await stranger.get(stranger.url("card")),
    }
    for page, response in pages.items():
        name = soup(response).select_one("input[name=name]")
        assert name is not None and name.has_attr("required"), page
        marker = soup(response).select_one(f'label[for="{name["id"]}"] .hint')
        assert marker.get_text() == "(required)" and marker["aria-hidden"] == "true", page
