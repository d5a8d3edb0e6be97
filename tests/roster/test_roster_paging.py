"""The roster's "Show more" and its order, as someone scrolling a big event's people sees them.

The next page goes on from where the last page ended, by the values that page gave (tier,
name key, account), whatever the last person shown did since: hid, left, blocked me, was
removed or renamed. Names are in the order people read them (case and accents folded), not
by bytes. A cursor no page made is refused in words (400), and a made-up one is only a
place in the list: it tells nothing about anyone's card.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

from server.web import pages
from tests.events.test_routes import PLAIN, attendee, organizer_with_event
from tests.phone import Phone, text_of
from tests.web.test_pages import add_people, flat, walk

ROWS = "#people-list > ul > li"
# 53 besides me, so that a second page holds the last three; the 50th is a real phone.
NAMES = [f"Person {n:02}" for n in range(1, 54)]
LAST_SHOWN = "Person 50"


def names_on(response) -> list[str]:
    html = BeautifulSoup(response.text, "html.parser")
    return [li.select_one(".name").get_text(strip=True) for li in html.select(f"{ROWS} .card")]


def more_link(response) -> str | None:
    link = BeautifulSoup(response.text, "html.parser").select_one("li.more a")
    return None if link is None else link["href"]


async def crowd(new_phone, pool) -> tuple[Phone, int, Phone, int]:
    """The organizer (the viewer), their event, the 50th person's phone and account."""
    viewer, event_id = await organizer_with_event(new_phone)
    fiftieth = await attendee(new_phone, pool, event_id, LAST_SHOWN)
    others = await add_people(pool, [name for name in NAMES if name != LAST_SHOWN])
    await pool.executemany(
        "INSERT INTO event_attendees (event_id, account_id) VALUES ($1, $2)",
        [(event_id, account) for account in others],
    )
    their_id = await pool.fetchval("SELECT account_id FROM cards WHERE name = $1", LAST_SHOWN)
    return viewer, event_id, fiftieth, their_id


async def hides(fiftieth: Phone, event_id: int, **_: object) -> None:
    await fiftieth.post(fiftieth.url("event_listing", event_id=event_id), {})


async def leaves(fiftieth: Phone, event_id: int, **_: object) -> None:
    await fiftieth.post(fiftieth.url("event_leave", event_id=event_id))


async def blocks_me(fiftieth: Phone, event_id: int, viewer_id: int, **_: object) -> None:
    await fiftieth.post(fiftieth.url("event_block", event_id=event_id, account_id=viewer_id))


async def is_removed(viewer: Phone, event_id: int, their_id: int, **_: object) -> None:
    await viewer.post(viewer.url("event_remove_attendee", event_id=event_id, account_id=their_id))


async def renames(fiftieth: Phone, **_: object) -> None:
    # To a name at the top of the list: the page must still go on after "Person 50".
    await fiftieth.make_card(**PLAIN, name="Aaron Early", email="person@example.com")


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])
@pytest.mark.parametrize("query", ["", "person"], ids=["everyone", "search"])
@pytest.mark.parametrize("change", [hides, leaves, blocks_me, is_removed, renames])
async def test_show_more_goes_on_whatever_the_last_person_shown_did(
    new_phone, pool, change, query, htmx
):
    viewer, event_id, fiftieth, their_id = await crowd(new_phone, pool)
    viewer_id = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Olga Organizer'")
    url = viewer.url("event_people", event_id=event_id) + (f"?q={query}" if query else "")
    first = await viewer.get(url)
    assert names_on(first) == NAMES[:50]
    more = more_link(first)
    assert more is not None
    await change(
        viewer=viewer, fiftieth=fiftieth, event_id=event_id, viewer_id=viewer_id, their_id=their_id
    )
    headers = {"HX-Request": "true"} if htmx else {}
    second = await viewer.get(more, headers=headers)
    assert second.status_code == 200
    # The three after the 50th, and nobody from the first page again.
    assert names_on(second) == NAMES[50:]
    assert more_link(second) is None


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])
async def test_names_are_in_reading_order_whatever_their_case_or_accents(new_phone, pool, htmx):
    viewer, event_id = await organizer_with_event(new_phone)
    readable = ["Åsa Berg", "Bob Ray", "Chloé Ash", "dana lee", "Émile Roy", "Łukasz Nowak"]
    # Enough of them to cross two pages: the cursor carries the folded name along.
    names = readable + [f"{first} {n:02}" for n in range(30) for first in ("élise", "Elias")]
    names.append("Zoe Zed")
    ids = await add_people(pool, list(reversed(names)))
    await pool.executemany(
        "INSERT INTO event_attendees (event_id, account_id) VALUES ($1, $2)",
        [(event_id, account) for account in ids],
    )
    seen = await walk(viewer, viewer.url("event_people", event_id=event_id), ROWS, htmx=htmx)
    elias = [f"Elias {n:02}" for n in range(30)]
    elise = [f"élise {n:02}" for n in range(30)]
    assert flat(seen) == [*readable[:4], *elias, *elise, "Émile Roy", "Łukasz Nowak", "Zoe Zed"]
    assert len(seen) == 2  # the second page starts among the é's
    # A search lists them in the same order.
    found = await viewer.get(viewer.url("event_people", event_id=event_id) + "?q=a")
    assert names_on(found) == ["Åsa Berg", "Chloé Ash"]


@pytest.mark.parametrize(
    "after",
    [
        "",
        "x",
        "12",  # an account id alone, as links made before read
        "1.2",
        "4.2.person",
        "0.2.person",
        "1.x.person",
        "1.-2.person",
        "1.99999999999999999999.person",
        "1.2.person%00",
        "1.2." + "p" * 5000,
    ],
)
async def test_a_cursor_no_page_made_is_refused_in_words(new_phone, pool, after):
    viewer, event_id = await organizer_with_event(new_phone)
    await attendee(new_phone, pool, event_id, "Ana Silva")
    response = await viewer.get(viewer.url("event_people", event_id=event_id) + f"?after={after}")
    assert response.status_code == 400
    assert 'That "Show more" link is not one this list made' in text_of(response)
    # A search's tiers go from 1 to 3; without a search there is one.
    searched = await viewer.get(
        viewer.url("event_people", event_id=event_id) + "?q=ana&after=2.5.ana"
    )
    assert searched.status_code == 200
    everyone = await viewer.get(viewer.url("event_people", event_id=event_id) + "?after=2.5.ana")
    assert everyone.status_code == 400


async def test_a_made_up_cursor_is_a_place_in_the_list_and_tells_nothing_of_anyone(new_phone, pool):
    """Placed by an account's card, pages compared would spell out any account's name; the
    cursor's own values place it, so the page is the same whoever the id is and whatever
    their name."""
    viewer, event_id = await organizer_with_event(new_phone)
    for name in ("Ana Silva", "Mia Chen", "Zed Last"):
        await attendee(new_phone, pool, event_id, name)
    stranger = await new_phone()  # at no event
    await stranger.make_card(**PLAIN, name="Marta Secret", email="marta@example.com")
    marta = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Marta Secret'")
    url = viewer.url("event_people", event_id=event_id)
    for name in ("Marta Secret", "Aaron", "Zz"):
        await pool.execute("UPDATE cards SET name = $1 WHERE account_id = $2", name, marta)
        assert names_on(await viewer.get(url + f"?after=1.{marta}.m")) == ["Mia Chen", "Zed Last"]
        assert names_on(await viewer.get(url + f"?after=1.{marta}.a")) == [
            "Ana Silva",
            "Mia Chen",
            "Zed Last",
        ]


async def test_the_show_more_link_carries_the_last_persons_place(new_phone, pool):
    viewer, event_id, _fiftieth, their_id = await crowd(new_phone, pool)
    more = more_link(await viewer.get(viewer.url("event_people", event_id=event_id)))
    assert more is not None
    assert parse_qs(urlsplit(more).query)[pages.PARAM] == [f"1.{their_id}.person 50"]
