"""The "Where we met" menu always offers the event the list is filtered by, chosen: one I
left, or one older than the hundred it lists, as a contact's "Met at" link leads there; so
a search typed then keeps the filter. Never the name of an event that is not mine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.phone import Phone, soup

CODE_LETTERS = "23456789ABCDEFGH"


async def event(pool: Any, organizer: int, name: str, starts: datetime, n: int) -> int:
    code = "EV" + "".join(CODE_LETTERS[(n // 16**k) % 16] for k in range(4))
    event_id: int = await pool.fetchval(
        "INSERT INTO events (organizer_id, name, starts_at, ends_at, time_zone, join_code)"
        " VALUES ($1, $2, $3::timestamptz, $3::timestamptz + interval '2 hours', 'UTC', $4)"
        " RETURNING id",
        organizer,
        name,
        starts,
        code,
    )
    return event_id


async def me_and_olga(new_phone: Any, pool: Any) -> tuple[Phone, int, int]:
    """My phone, with Olga met; my account and hers."""
    me: Phone = await new_phone()
    await me.make_card(name="Me Myself")
    olga: Phone = await new_phone()
    await olga.make_card(name="Olga Organizer")
    assert (await me.post(await olga.share_link() + "/swap")).status_code == 303
    mine = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Me Myself'")
    hers = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Olga Organizer'")
    return me, mine, hers


async def menu(me: Phone, **params: Any) -> tuple[list[str], list[str], list[str]]:
    """The menu's options (values), the one chosen, and the names the list shows."""
    page = soup(await me.get(me.url("contacts"), params=params))
    options = page.select("#event-filter option")
    chosen = [option["value"] for option in options if option.has_attr("selected")]
    names = [el.get_text() for el in page.select(".people .name")]
    return [option["value"] for option in options], chosen, names


async def test_an_event_i_left_is_offered_chosen(new_phone, pool):
    me, mine, hers = await me_and_olga(new_phone, pool)
    now = datetime.now(UTC)
    left = await event(pool, hers, "Old Meetup", now - timedelta(days=3), 1)
    await pool.execute(
        "INSERT INTO event_attendees (event_id, account_id, left_at) VALUES ($1, $2, now())",
        left,
        mine,
    )
    await pool.execute("UPDATE contacts SET event_id = $1 WHERE owner_id = $2", left, mine)
    options, chosen, names = await menu(me, event=str(left))
    assert chosen == [str(left)]
    assert options == ["", str(left)]
    assert names == ["Olga Organizer"]
    # And with a search typed (the form sends the menu's value with it).
    options, chosen, names = await menu(me, event=str(left), q="olga")
    assert chosen == [str(left)] and names == ["Olga Organizer"]


async def test_an_event_older_than_the_menus_hundred_is_offered_chosen(new_phone, pool):
    me, mine, _ = await me_and_olga(new_phone, pool)
    now = datetime.now(UTC)
    oldest = await event(pool, mine, "First Meetup", now - timedelta(days=400), 0)
    for n in range(1, 101):
        await event(pool, mine, f"Meetup {n}", now - timedelta(days=400 - n), n)
    await pool.execute("UPDATE contacts SET event_id = $1 WHERE owner_id = $2", oldest, mine)
    options, chosen, names = await menu(me, event=str(oldest))
    assert chosen == [str(oldest)]
    assert len(options) == 102 and options[-1] == str(oldest)  # "Anywhere", 100, and it
    assert names == ["Olga Organizer"]
    # Not filtered: the hundred latest alone, "Anywhere" chosen.
    options, chosen, _ = await menu(me)
    assert len(options) == 101 and str(oldest) not in options
    assert chosen == []


async def test_someone_elses_event_is_never_named(new_phone, pool):
    me, mine, hers = await me_and_olga(new_phone, pool)
    await event(pool, mine, "My Meetup", datetime.now(UTC), 0)
    theirs = await event(pool, hers, "Private Dinner", datetime.now(UTC), 1)
    page = await me.get(me.url("contacts"), params={"event": str(theirs)})
    assert "Private Dinner" not in page.text
    assert str(theirs) not in [o["value"] for o in soup(page).select("#event-filter option")]
