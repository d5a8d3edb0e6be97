"""What a join code, link or poster says when it opens nothing, true to why: an event whose
organizer deleted their account has nobody to ask; a code the organizer replaced was right, not
mistyped; and a code typed far too long is counted as typed."""

from __future__ import annotations

from pathlib import Path

from server.events import joining
from tests.db.one_migration import apply_migration, migrated_before
from tests.events.test_new_join_code import join_link, make_new_code
from tests.events.test_routes import attendee, join_code, organizer_with_event
from tests.phone import Phone, soup, text_of

UNKNOWN = "We don't recognise that code"


async def every_way_in(stranger: Phone, link: str, code: str) -> dict[str, object]:
    """The poster's QR code (its signed link), sent as the join form too, the code in a bare
    /j/ link, and the code typed on /join: as a newcomer meets each."""
    return {
        "scanned": await stranger.get(link),
        "join form": await stranger.post(link, {"listed": "on"}),
        "bare link": await stranger.get(stranger.url("join_event", code=code)),
        "typed": await stranger.get(stranger.url("join_code"), params={"code": code}),
    }


async def test_an_event_whose_organizer_left_says_nobody_can_open_it(new_phone, pool):
    olga, event_id = await organizer_with_event(new_phone)
    ana = await attendee(new_phone, pool, event_id, "Ana Silva")
    code, link = await join_code(pool, event_id), await join_link(olga, event_id)
    olga_id = await pool.fetchval("SELECT organizer_id FROM events WHERE id = $1", event_id)
    assert await pool.fetchval("SELECT delete_account($1)", olga_id)

    stranger = await new_phone()
    await stranger.make_card(name="Sly Stranger")
    for way, answer in (await every_way_in(stranger, link, code)).items():
        said = text_of(answer)
        assert answer.status_code == 410, way
        assert "its organizer has left Reachout" in said, way
        assert "nobody new can join it, and nobody can open it again" in said, way
        assert "Ask the organizer" not in said, way
    typed = await stranger.get(stranger.url("join_code"), params={"code": code})
    assert "organizer has left Reachout" in soup(typed).select_one("#code-error").get_text()
    # Nobody joined; Ana, who was there, still opens it.
    assert await pool.fetchval("SELECT count(*) FROM event_attendees") == 1
    assert (await ana.get(ana.url("event", event_id=event_id))).status_code == 200


async def test_an_event_left_open_by_an_older_deletion_is_closed(
    admin_url: str, tmp_path: Path
) -> None:
    """Deleting an organizer's account did not always close their kept events: those are
    closed now, as the delete page and Privacy say; the others are as they were."""
    migration = "0079_replaced_join_codes"
    async with migrated_before(admin_url, tmp_path, migration) as conn:
        olga = await conn.fetchval("INSERT INTO accounts DEFAULT VALUES RETURNING id")
        for name, code, organizer in (("Left", "ABCDEF", None), ("Kept", "ABCDEG", olga)):
            await conn.execute(
                "INSERT INTO events (organizer_id, name, starts_at, ends_at, time_zone, join_code)"
                " VALUES ($1, $2, now(), now() + interval '2 hours', 'UTC', $3)",
                organizer,
                name,
                code,
            )
        assert await apply_migration(conn, tmp_path, migration) == [migration]
        closed = dict(await conn.fetch("SELECT name, closed_at IS NOT NULL FROM events"))
        assert closed == {"Left": True, "Kept": False}


async def test_a_replaced_code_says_it_was_replaced(new_phone, pool):
    olga, event_id = await organizer_with_event(new_phone)
    old_code, old_link = await join_code(pool, event_id), await join_link(olga, event_id)
    assert (await make_new_code(olga, event_id)).status_code == 303
    stranger = await new_phone()
    await stranger.make_card(name="Sly Stranger")
    for way, answer in (await every_way_in(stranger, old_link, old_code)).items():
        said = text_of(answer)
        assert answer.status_code == 410, way
        assert joining.REPLACED in said, way
        assert UNKNOWN not in said, way
    # Replaced twice: each old code says so, and a code nobody ever had is still unknown.
    middle_code = await join_code(pool, event_id)
    assert (await make_new_code(olga, event_id)).status_code == 303
    for code in (old_code, middle_code):
        typed = await stranger.get(stranger.url("join_code"), params={"code": code})
        assert typed.status_code == 410
        assert joining.REPLACED in soup(typed).select_one("#code-error").get_text()
    unknown = await stranger.get(stranger.url("join_code"), params={"code": "ZZZ-ZZZ"})
    assert unknown.status_code == 404 and UNKNOWN in text_of(unknown)
    assert await pool.fetchval("SELECT count(*) FROM event_attendees") == 1  # Olga alone


async def test_a_replaced_code_of_an_event_nobody_can_join_says_why(new_phone, pool):
    """Asking for the new code would be in vain: the old one says what the new one would."""
    olga, event_id = await organizer_with_event(new_phone)
    await attendee(new_phone, pool, event_id, "Ana Silva")
    old_code, old_link = await join_code(pool, event_id), await join_link(olga, event_id)
    assert (await make_new_code(olga, event_id)).status_code == 303
    stranger = await new_phone()
    await stranger.make_card(name="Sly Stranger")

    await olga.post(olga.url("event_close", event_id=event_id))
    typed = await stranger.get(stranger.url("join_code"), params={"code": old_code})
    assert typed.status_code == 410 and joining.CLOSED in text_of(typed)
    assert "replaced" not in text_of(typed)

    olga_id = await pool.fetchval("SELECT organizer_id FROM events WHERE id = $1", event_id)
    assert await pool.fetchval("SELECT delete_account($1)", olga_id)
    for way, answer in (await every_way_in(stranger, old_link, old_code)).items():
        assert answer.status_code == 410, way
        assert joining.ORGANIZER_GONE in text_of(answer), way


async def test_a_code_typed_far_too_long_is_counted_as_typed(new_phone):
    phone = await new_phone()
    response = await phone.get(phone.url("join_code"), params={"code": "x" * 5000})
    assert response.status_code == 422
    said = soup(response).select_one("#code-error").get_text()
    assert "An event code has 6 letters and digits, like ABC-234; that was 5000." in said
    assert "that was 40" not in said
