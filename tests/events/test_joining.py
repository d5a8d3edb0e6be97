"""Join codes, written as the attacks: enumerating codes (at once) is limited per account and
per address, events can't be joined weeks before or after, and the organizer can remove
whoever got in."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from server.db.migrations import MIGRATIONS_DIR
from server.events import events, joining
from tests.events.test_routes import attendee, join_code, organizer_with_event
from tests.limit_counts import says_wait
from tests.mailing import confirm_addresses
from tests.phone import soup, text_of


def guesses(count: int) -> list[str]:
    return [events.new_code() for _ in range(count)]


async def test_a_signed_in_guesser_is_stopped_even_all_at_once(new_phone, pool):
    olga, event_id = await organizer_with_event(new_phone)
    real = await join_code(pool, event_id)
    eve = await new_phone()
    await eve.make_card(name="Eve Stone", email="eve@example.com")
    tries = [code for code in guesses(joining.MAX_MISSES_PER_ACCOUNT + 5) if code != real]
    answers = await asyncio.gather(*(eve.get(eve.url("join_event", code=code)) for code in tries))
    statuses = [answer.status_code for answer in answers]
    assert statuses.count(404) == joining.MAX_MISSES_PER_ACCOUNT
    assert statuses.count(429) == len(tries) - joining.MAX_MISSES_PER_ACCOUNT
    found = await eve.get(eve.url("join_event", code=real))
    assert found.status_code == 429, "the limit holds for the right code too"
    says_wait(found, joining.TOO_MANY)
    assert "Lunch & Learn" not in found.text
    # As the words say, the event's QR code still opens it: the poster's link is signed,
    # so nobody guessed it. A signature made up is no signature.
    forged = await eve.get(eve.url("join_event", code=real) + "?k=" + "0" * 32)
    assert forged.status_code == 429
    event_page = soup(await olga.get(olga.url("event", event_id=event_id)))
    handed_out = event_page.select_one("#join-link")["value"]
    page = await eve.get(handed_out)
    assert page.status_code == 200 and "Lunch & Learn" in text_of(page)
    form = soup(page).find("button", string="Join the event").find_parent("form")
    link = urlsplit(handed_out)
    assert form["action"] == f"{link.path}?{link.query}", "the form goes on by the same link"
    joined = await eve.post(form["action"], {"listed": "on"})
    assert joined.status_code == 303
    assert "You're in!" in text_of(await eve.get(joined.headers["location"]))


async def test_strangers_are_limited_by_address(new_phone, pool, monkeypatch):
    monkeypatch.setattr(joining, "MAX_MISSES_PER_IP", 6)
    _olga, event_id = await organizer_with_event(new_phone)
    real = await join_code(pool, event_id)
    strangers = [await new_phone() for _ in range(3)]
    tries = [code for code in guesses(9) if code != real]
    answers = await asyncio.gather(
        *(
            strangers[n % 3].get(strangers[n % 3].url("join_event", code=code))
            for n, code in enumerate(tries)
        )
    )
    statuses = [answer.status_code for answer in answers]
    assert statuses.count(404) == 6 and statuses.count(429) == len(tries) - 6


async def test_events_cannot_be_joined_long_before_or_after(new_phone, pool):
    _olga, event_id = await organizer_with_event(new_phone)
    code = await join_code(pool, event_id)
    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email="mia@example.com")
    now = datetime.now(UTC)
    cases = [
        (
            now + timedelta(days=3),
            now + timedelta(days=3, hours=2),
            403,
            "Joining Lunch & Learn opens on",
        ),
        (now - timedelta(days=5), now - timedelta(days=4), 410, joining.OVER),
    ]
    for starts, ends, status, words in cases:
        await pool.execute(
            "UPDATE events SET starts_at = $1, ends_at = $2 WHERE id = $3", starts, ends, event_id
        )
        page = await mia.get(mia.url("join_event", code=code))
        assert page.status_code == status and words in text_of(page)
        joined = await mia.post(mia.url("join_event_submit", code=code), {"listed": "on"})
        assert joined.status_code == status
    assert await pool.fetchval("SELECT count(*) FROM event_attendees") == 1, "the organizer only"

    # Within the grace period: tomorrow morning's event, and yesterday's.
    for starts, ends in (
        (now + timedelta(hours=20), now + timedelta(hours=22)),
        (now - timedelta(days=2), now - timedelta(days=1)),
    ):
        await pool.execute(
            "UPDATE events SET starts_at = $1, ends_at = $2 WHERE id = $3", starts, ends, event_id
        )
        assert (await mia.get(mia.url("join_event", code=code))).status_code == 200
    # Joined the day after: told it has ended, not to swap with anyone here.
    joined = await mia.post(mia.url("join_event_submit", code=code), {"listed": "on"})
    said = text_of(await mia.get(joined.headers["location"]))
    assert "You're in. The event has ended: find the people who were there" in said


async def test_the_organizer_sees_who_joined_and_removes_one(new_phone, pool):
    olga, event_id = await organizer_with_event(new_phone)
    mia = await attendee(new_phone, pool, event_id, "Mia Chen")
    await attendee(new_phone, pool, event_id, "Sam Roe")
    # Proven hers: a new account with it is her again (test_a_card_s_unconfirmed_address...).
    await confirm_addresses(pool, "mia@example.com")
    page = soup(await olga.get(olga.url("event", event_id=event_id)))
    remove = page.find("button", string="Remove Mia Chen")
    assert remove is not None and page.find("button", string="Remove Sam Roe") is not None
    assert page.find("button", string="Remove Olga Organizer") is None
    # For good, so behind a disclosure that says so first, as Block is.
    asked = remove.find_parent("details")
    assert asked.summary.get_text() == "Remove Mia Chen…"
    assert "can't rejoin from this account, and the requests to connect made here" in (
        asked.get_text()
    )
    # True to what it does: a new card could come back with the code, which can be redrawn.
    kept_out = page.find("a", string="make a new join code")
    assert "they could join as someone new" in kept_out.parent.get_text()
    assert kept_out["href"] == "#new-code" and page.find("details", id="new-code") is not None
    assert "This can't be undone." in asked.get_text()
    gone = await olga.post(remove.find_parent("form")["action"], {})
    assert gone.status_code == 303
    page = soup(await olga.get(gone.headers["location"]))
    assert page.find("button", string="Remove Mia Chen") is None
    assert (
        "Removed. They are off the list of people and can't rejoin from that account."
        in page.get_text(" ", strip=True)
    )
    # The join link can be copied or shared from here (where the browser can).
    assert [b.get_text() for b in page.select("button[data-copy], button[data-share]")] == [
        "Copy join link",
        "Share join link",
    ]

    code = await join_code(pool, event_id)
    # Told so, before and after tapping: no "Join the event" that leads nowhere.
    for answer in (
        await mia.get(mia.url("join_event", code=code)),
        await mia.post(mia.url("join_event_submit", code=code), {"listed": "on"}),
    ):
        assert answer.status_code == 403
        assert soup(answer).h1.get_text(strip=True) == "You can't join this event"
        assert "The organizer removed you from this event" in text_of(answer)
        assert soup(answer).find("button", string="Join the event") is None
    attending = await pool.fetchval(
        """SELECT count(*) FROM event_attendees ea JOIN cards c ON c.account_id = ea.account_id
           WHERE c.name = 'Mia Chen' AND ea.left_at IS NULL"""
    )
    assert attending == 0, "the code does not let her back in"
    page = await mia.get(mia.url("event", event_id=event_id))
    assert soup(page).h1.get_text(strip=True) == "You were removed from this event"
    # Nor does a new account with her address: made on the join page, or before.
    again = await new_phone()
    joined = await again.post(
        again.url("join_event_submit", code=code), {"name": "Mia C", "email": "MIA@example.com"}
    )
    # Anyone may type her address: refused in words that do not say she was removed.
    assert joined.status_code == 403 and joining.BARRED in text_of(joined)
    assert "removed" not in text_of(joined)
    await again.make_card(name="Mia C", email="mia@example.com")
    for answer in (
        await again.get(again.url("join_event", code=code)),
        await again.post(again.url("join_event_submit", code=code), {"listed": "on"}),
    ):
        assert answer.status_code == 403 and joining.BARRED in text_of(answer)
        assert "removed" not in text_of(answer)
    assert await pool.fetchval("SELECT count(*) FROM event_attendees WHERE left_at IS NULL") == 2

    # Only the organizer can remove, and only people at the event.
    sam_id = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Sam Roe'")
    refused = await mia.post(
        mia.url("event_remove_attendee", event_id=event_id, account_id=sam_id), {}
    )
    assert refused.status_code in (403, 404)
    # An id past what the database holds is no route at all (server/web/convertors.py).
    beyond = olga.url("event_remove_attendee", event_id=event_id, account_id=sam_id).replace(
        f"/{sam_id}/", f"/{2**63 + 5}/"
    )
    assert (await olga.post(beyond, {})).status_code == 404


async def remove(olga, event_id: int, account_id: int):  # type: ignore[no-untyped-def]
    return await olga.post(
        olga.url("event_remove_attendee", event_id=event_id, account_id=account_id), {}
    )


async def refused_at_the_door(phone, code: str, said: str = joining.REMOVED) -> None:  # type: ignore[no-untyped-def]
    """Refused: told they were removed (``joining.REMOVED``), or for a card with an address
    someone removed had confirmed, ``joining.BARRED``."""
    answer = await phone.post(phone.url("join_event_submit", code=code), {"listed": "on"})
    assert answer.status_code == 403
    assert said in text_of(answer)


async def test_leaving_just_before_being_removed_does_not_dodge_it(new_phone, pool):
    olga, event_id = await organizer_with_event(new_phone)
    mia = await attendee(new_phone, pool, event_id, "Mia Chen")
    mia_id = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Mia Chen'")
    page = soup(await olga.get(olga.url("event", event_id=event_id)))
    assert page.find("button", string="Remove Mia Chen") is not None
    # She sees it coming and leaves; the organizer taps Remove on the page as it was.
    await mia.post(mia.url("event_leave", event_id=event_id))
    gone = await remove(olga, event_id, mia_id)
    assert gone.status_code == 303
    await refused_at_the_door(mia, await join_code(pool, event_id))


async def test_remove_tapped_twice_says_removed_both_times(new_phone, pool):
    olga, event_id = await organizer_with_event(new_phone)
    await attendee(new_phone, pool, event_id, "Mia Chen")
    mia_id = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Mia Chen'")
    first, second = await remove(olga, event_id, mia_id), await remove(olga, event_id, mia_id)
    assert second.status_code == 303
    assert second.headers["location"] == first.headers["location"]
    page = text_of(await olga.get(second.headers["location"]))
    assert "Removed. They are off the list of people and can't rejoin from that account." in page
    # Someone never at the event: the same answer (it must not tell who is there), and
    # nothing recorded: he joins with the code later.
    sam = await new_phone()
    await sam.make_card(name="Sam Roe")
    sam_id = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Sam Roe'")
    stranger = await remove(olga, event_id, sam_id)
    assert (stranger.status_code, stranger.headers["location"]) == (303, first.headers["location"])
    joined = await sam.post(
        sam.url("join_event_submit", code=await join_code(pool, event_id)), {"listed": "on"}
    )
    assert joined.status_code == 303


async def test_the_organizer_can_remove_someone_who_left(new_phone, pool):
    olga, event_id = await organizer_with_event(new_phone)
    mia = await attendee(new_phone, pool, event_id, "Mia Chen")
    await attendee(new_phone, pool, event_id, "Sam Roe")
    await mia.post(mia.url("event_leave", event_id=event_id))

    def people(page):  # type: ignore[no-untyped-def]
        return {li.select_one(".name").get_text(): li for li in soup(page).select("ul.people > li")}

    listed = people(await olga.get(olga.url("event", event_id=event_id)))
    assert "Left" in listed["Mia Chen"].get_text() and "Left" not in listed["Sam Roe"].get_text()
    remove = listed["Mia Chen"].find("button", string="Remove Mia Chen")
    assert "They left already" in remove.find_parent("details").get_text()
    found = people(await olga.get(olga.url("event", event_id=event_id), params={"who": "mia"}))
    assert list(found) == ["Mia Chen"]
    gone = await olga.post(remove.find_parent("form")["action"], {})
    assert gone.status_code == 303
    await refused_at_the_door(mia, await join_code(pool, event_id))
    # Removed, there is nothing more to do about her: off the list.
    assert list(people(await olga.get(gone.headers["location"]))) == ["Sam Roe"]


async def test_a_removed_person_stays_out_after_deleting_their_account(new_phone, pool):
    olga, event_id = await organizer_with_event(new_phone)
    await attendee(new_phone, pool, event_id, "Mia Chen")
    await confirm_addresses(pool, "mia@example.com")
    mia_id = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Mia Chen'")
    assert (await remove(olga, event_id, mia_id)).status_code == 303
    assert await pool.fetchval("SELECT delete_account($1)", mia_id)
    assert await pool.fetchval("SELECT count(*) FROM cards WHERE name = 'Mia Chen'") == 0

    code = await join_code(pool, event_id)
    again = await new_phone()
    await again.make_card(name="Mia C", email="Mia@Example.com")
    await refused_at_the_door(again, code, joining.BARRED)
    newcomer = await new_phone()
    joined = await newcomer.post(
        newcomer.url("join_event_submit", code=code), {"name": "M", "email": "mia@example.com"}
    )
    assert joined.status_code == 403 and joining.BARRED in text_of(joined)
    # Nothing of her in words is kept for it: her address only as a hash.
    kept = await pool.fetchval(
        "SELECT count(*) FROM event_removed_addresses WHERE event_id = $1", event_id
    )
    assert kept == 1
    assert await pool.fetchval("SELECT count(*) FROM cards WHERE email ILIKE 'mia@%'") == 1


async def test_a_removed_person_cannot_lock_someone_else_out_with_their_address(new_phone, pool):
    olga, event_id = await organizer_with_event(new_phone)
    mia = await attendee(new_phone, pool, event_id, "Mia Chen")
    mia_id = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Mia Chen'")
    assert (await remove(olga, event_id, mia_id)).status_code == 303
    # Removed, she puts Sam's address on her card: Sam still gets in.
    await mia.make_card(name="Mia Chen", email="sam@example.com")
    await attendee(new_phone, pool, event_id, "Sam Roe")
    attending = await pool.fetchval(
        """SELECT count(*) FROM event_attendees ea JOIN cards c ON c.account_id = ea.account_id
           WHERE c.name = 'Sam Roe' AND ea.left_at IS NULL"""
    )
    assert attending == 1


async def test_a_card_s_unconfirmed_address_locks_nobody_out_when_it_is_removed(new_phone, pool):
    """Any card takes any address unconfirmed: Mallory puts Vera's on hers and gets herself
    removed. Vera, signed in or new, still joins; Mallory herself stays out."""
    olga, event_id = await organizer_with_event(new_phone)
    mallory = await attendee(new_phone, pool, event_id, "Mallory Troll", email="vera@example.com")
    mallory_id = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Mallory Troll'")
    assert (await remove(olga, event_id, mallory_id)).status_code == 303
    code = await join_code(pool, event_id)
    await refused_at_the_door(mallory, code)
    vera = await new_phone()
    await vera.make_card(name="Vera Victim", email="vera@example.com")
    assert (await vera.get(vera.url("join_event", code=code))).status_code == 200
    joined = await vera.post(vera.url("join_event_submit", code=code), {"listed": "on"})
    assert "You're in!" in text_of(await vera.get(joined.headers["location"]))
    newcomer = await new_phone()
    joined = await newcomer.post(
        newcomer.url("join_event_submit", code=code),
        {"name": "Vera V", "email": "Vera@example.com"},
    )
    assert joined.status_code == 303
    assert await pool.fetchval("SELECT count(*) FROM event_removed_addresses") == 0


async def test_the_organizer_finds_anyone_who_joined_by_name(new_phone, pool):
    olga, event_id = await organizer_with_event(new_phone)
    await attendee(
        new_phone,
        pool,
        event_id,
        "Zoë Park",
        headline="Buyer at Threadline",
        email="zoe@example.com",
    )
    await attendee(new_phone, pool, event_id, "Sam Roe")

    def names(page) -> list[str]:  # type: ignore[no-untyped-def]
        return [span.get_text() for span in soup(page).select("ul.people .name")]

    found = await olga.get(olga.url("event", event_id=event_id), params={"who": "zoe"})
    assert names(found) == ["Zoë Park"]
    assert soup(found).find("input", id="who")["value"] == "zoe"
    by_headline = await olga.get(olga.url("event", event_id=event_id), params={"who": "THREAD"})
    assert names(by_headline) == ["Zoë Park"]
    nobody = await olga.get(olga.url("event", event_id=event_id), params={"who": "100%_x"})
    assert nobody.status_code == 200 and names(nobody) == []
    assert "Nobody here matches “100%_x”." in text_of(nobody)
    assert soup(nobody).find("a", string="Show everyone") is not None

    # A big event: the newest 500 are listed, and the page says how to reach the others.
    first = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Zoë Park'")
    await pool.execute(
        """WITH made AS (
               INSERT INTO accounts (time_zone) SELECT 'UTC' FROM generate_series(1, 500)
               RETURNING id),
           carded AS (INSERT INTO cards (account_id, name) SELECT id, 'Guest ' || id FROM made)
           INSERT INTO event_attendees (event_id, account_id, listed)
           SELECT $1, id, true FROM made""",
        event_id,
    )
    page = await olga.get(olga.url("event", event_id=event_id))
    assert len(names(page)) == 500 and "Zoë Park" not in names(page)
    assert "The newest 500 who joined. To find someone else, search for their name." in (
        text_of(page)
    )
    found = await olga.get(olga.url("event", event_id=event_id), params={"who": "Zoë"})
    assert names(found) == ["Zoë Park"]
    remove = soup(found).find("button", string="Remove Zoë Park").find_parent("form")
    assert remove["action"].endswith(f"/attendees/{first}/remove")


async def test_the_poster_scanned_again_by_someone_in_opens_the_event(new_phone, pool):
    olga, event_id = await organizer_with_event(new_phone)
    mia = await attendee(new_phone, pool, event_id, "Mia Chen")
    code = await join_code(pool, event_id)
    for person in (mia, olga):
        again = await person.get(person.url("join_event", code=code))
        assert again.status_code == 303
        assert again.headers["location"] == person.url("event", event_id=event_id)
    # Someone who left may join again: the join page, as before.
    await pool.execute("UPDATE event_attendees SET left_at = now() WHERE account_id = 2")
    left = await mia.get(mia.url("join_event", code=code))
    assert left.status_code == 200
    assert soup(left).find("button", string="Join the event") is not None


async def test_the_poster_scanned_or_code_typed_by_someone_in_opens_a_closed_or_old_event(
    new_phone, pool
):
    olga, event_id = await organizer_with_event(new_phone)
    mia = await attendee(new_phone, pool, event_id, "Mia Chen")
    code = await join_code(pool, event_id)
    page = soup(await olga.get(olga.url("event", event_id=event_id)))
    poster = urlsplit(page.select_one("#join-link")["value"])
    scanned = f"{poster.path}?{poster.query}"
    stranger = await new_phone()
    await stranger.make_card(name="Late Larry")
    for shut, refusal in (
        ("UPDATE events SET closed_at = now()", "This event is closed"),
        (
            "UPDATE events SET closed_at = NULL, starts_at = now() - interval '4 days',"
            " ends_at = now() - interval '3 days'",
            joining.OVER,
        ),
    ):
        await pool.execute(shut)
        for person in (mia, olga):
            for answer in (
                await person.get(scanned),
                await person.get(person.url("join_code"), params={"code": code}),
            ):
                assert answer.status_code == 303
                assert answer.headers["location"] == person.url("event", event_id=event_id)
        # Newcomers are still told, by either way in.
        assert (await stranger.get(scanned)).status_code == 410
        typed = await stranger.get(stranger.url("join_code"), params={"code": code})
        assert typed.status_code == 410 and refusal in text_of(typed)


async def test_addresses_kept_by_the_old_rule_lock_out_only_those_confirmed(new_phone, pool):
    """Migration 0044 on what the address on a removed card kept before: Vera's address on
    Mallory's card goes; Mia's, confirmed, stays; one nobody shows now (an account deleted
    since) stays, as it cannot be told apart."""
    olga, event_id = await organizer_with_event(new_phone)
    for name, email in (("Mallory Troll", "vera@example.com"), ("Mia Chen", "mia@example.com")):
        await attendee(new_phone, pool, event_id, name, email=email)
    await confirm_addresses(pool, "mia@example.com")
    for account_id in await pool.fetchval(
        "SELECT array_agg(account_id) FROM cards WHERE account_id > 1"
    ):
        assert (await remove(olga, event_id, account_id)).status_code == 303
    # As the old rule kept them: each card's address, and a deleted account's.
    await pool.execute(
        """INSERT INTO event_removed_addresses (event_id, address_hash)
           SELECT $1, address_hash(a) FROM unnest($2::text[]) a ON CONFLICT DO NOTHING""",
        event_id,
        ["vera@example.com", "mia@example.com", "gone@example.com"],
    )
    code = await join_code(pool, event_id)
    vera = await new_phone()
    await vera.make_card(name="Vera Victim", email="vera@example.com")
    await refused_at_the_door(vera, code, joining.BARRED)  # locked out by Mallory, before 0044
    await pool.execute((MIGRATIONS_DIR / "0044_removed_addresses_confirmed.sql").read_text())
    joined = await vera.post(vera.url("join_event_submit", code=code), {"listed": "on"})
    assert "You're in!" in text_of(await vera.get(joined.headers["location"]))
    for email, status in (
        ("vera@example.com", 303),
        ("mia@example.com", 403),
        ("gone@example.com", 403),
    ):
        newcomer = await new_phone()
        joined = await newcomer.post(
            newcomer.url("join_event_submit", code=code), {"name": "New One", "email": email}
        )
        assert joined.status_code == status, email
