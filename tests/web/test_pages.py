"""Paged lists: contacts, the roster, requests and events go on past one page.

Each list is walked to its end by "Show more", once as htmx does it (the link's ``hx-get``,
keeping the rows its ``hx-select`` names) and once as a plain link without JavaScript;
every row must come exactly once, in order, whatever ties the sort keys have.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup

from server.web import pages
from tests.events.test_routes import PLAIN, event_form
from tests.phone import Phone

# Two full pages and a bit: the walk must cross two page boundaries.
COUNT = 2 * pages.PAGE_SIZE + 17
BASE = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


async def add_people(pool, names: list[str]) -> list[int]:
    """Accounts with cards, straight in SQL (the lists are what is tested, not sign-up)."""
    rows = await pool.fetch(
        "WITH made AS (INSERT INTO accounts (time_zone) SELECT 'UTC' FROM unnest($1::text[])"
        " RETURNING id), numbered AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM made)"
        " INSERT INTO cards (account_id, name, headline)"
        " SELECT numbered.id, ($1::text[])[numbered.n], 'Guest' FROM numbered RETURNING account_id",
        names,
    )
    return sorted(row["account_id"] for row in rows)


def moment(n: int) -> datetime:
    # Groups of seven share a moment: the id must break the tie.
    return BASE + timedelta(minutes=n // 7)


async def walk(phone: Phone, url: str, rows: str, *, htmx: bool) -> list[list[str]]:
    """Follow "Show more" to the end; the names on each page."""
    seen: list[list[str]] = []
    headers = {"HX-Request": "true"} if htmx else {}
    while url:
        response = await phone.get(url, headers=headers)
        assert response.status_code == 200, (url, response.text[:500])
        html = BeautifulSoup(response.text, "html.parser")
        shown = html.select(rows)
        names = [
            li.select_one(".name").get_text(strip=True)
            for li in shown
            if "more" not in (li.get("class") or [])
        ]
        seen.append(names)
        more = html.select_one("li.more a")
        if more is None:
            break
        assert more.get_text(strip=True) == "Show more"
        if htmx:
            assert more["hx-select"] == rows
            assert more["hx-target"] == "closest li" and more["hx-swap"] == "outerHTML"
            url = more["hx-get"]
        else:
            url = more["href"]
        assert len(seen) < 10, "the walk does not end"
    return seen


def flat(pages_seen: list[list[str]]) -> list[str]:
    return [name for page in pages_seen for name in page]


@pytest.fixture
async def dana(new_phone) -> Phone:
    phone = await new_phone()
    await phone.make_card(**PLAIN, name="Dana Lee", email="dana@example.com")
    return phone


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])
async def test_contacts_go_past_one_page(dana, pool, htmx):
    names = [f"Person {n:03}" for n in range(COUNT)]
    ids = await add_people(pool, names)
    await pool.executemany(
        "INSERT INTO contacts (owner_id, contact_id, met_at) VALUES (1, $1, $2)",
        [(account, moment(n)) for n, account in enumerate(ids)],
    )
    seen = await walk(dana, dana.url("contacts"), "#contact-list > ul > li", htmx=htmx)
    assert [len(page) for page in seen] == [pages.PAGE_SIZE, pages.PAGE_SIZE, 17]
    # Newest first; among those met at the same moment, the latest row first.
    assert flat(seen) == list(reversed(names))


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])
async def test_a_contacts_search_pages_with_its_words(dana, pool, htmx):
    names = [f"{'Sam' if n % 3 else 'Alex'} {n:03}" for n in range(COUNT * 2)]
    ids = await add_people(pool, names)
    await pool.executemany(
        "INSERT INTO contacts (owner_id, contact_id, met_at) VALUES (1, $1, $2)",
        [(account, moment(n)) for n, account in enumerate(ids)],
    )
    url = dana.url("contacts") + "?q=sam"
    seen = await walk(dana, url, "#contact-list > ul > li", htmx=htmx)
    sams = [name for name in names if name.startswith("Sam")]
    assert sorted(flat(seen)) == sorted(sams)
    assert len(flat(seen)) == len(set(flat(seen)))
    assert len(seen) == -(-len(sams) // pages.PAGE_SIZE)


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])
@pytest.mark.parametrize("query", ["", "sam"], ids=["everyone", "search"])
async def test_the_roster_goes_past_one_page(dana, pool, htmx, query):
    assert (await dana.post(dana.url("event_create"), event_form())).status_code == 303
    event_id = await pool.fetchval("SELECT id FROM events")
    # Names that tie: five of each, so the roster's order falls back on the account.
    names = [f"{'Sam' if n % 2 else 'Alex'} Roe {n // 5:02}" for n in range(COUNT * 2)]
    ids = await add_people(pool, names)
    await pool.executemany(
        "INSERT INTO event_attendees (event_id, account_id) VALUES ($1, $2)",
        [(event_id, account) for account in ids],
    )
    url = dana.url("event_people", event_id=event_id) + (f"?q={query}" if query else "")
    seen = await walk(dana, url, "#people-list > ul > li", htmx=htmx)
    expected = sorted(
        (name, account)
        for name, account in zip(names, ids, strict=True)
        if not query or name.startswith("Sam")
    )
    assert flat(seen) == [name for name, _ in expected]
    assert len(seen) == -(-len(expected) // pages.PAGE_SIZE)


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])
async def test_a_roster_search_pages_through_its_tiers(dana, pool, htmx):
    assert (await dana.post(dana.url("event_create"), event_form())).status_code == 303
    event_id = await pool.fetchval("SELECT id FROM events")
    # "sam" in the name, in the headline, or only in what they look for: three tiers whose
    # names interleave, so a page boundary falls inside a tier and between two.
    people = [(f"{'Sam' if n % 3 == 0 else 'Alex'} Roe {n // 3:02}", n % 3) for n in range(COUNT)]
    ids = await add_people(pool, [name for name, _ in people])
    for account, (_, tier) in zip(ids, people, strict=True):
        if tier == 1:
            await pool.execute(
                "UPDATE cards SET headline = 'Samba teacher' WHERE account_id = $1", account
            )
        elif tier == 2:
            await pool.execute(
                "UPDATE cards SET looking_for = 'Samples of shoes' WHERE account_id = $1", account
            )
    await pool.executemany(
        "INSERT INTO event_attendees (event_id, account_id) VALUES ($1, $2)",
        [(event_id, account) for account in ids],
    )
    seen = await walk(
        dana,
        dana.url("event_people", event_id=event_id) + "?q=sam",
        "#people-list > ul > li",
        htmx=htmx,
    )
    expected = sorted(
        (tier, name, account) for (name, tier), account in zip(people, ids, strict=True)
    )
    assert flat(seen) == [name for _, name, _ in expected]
    assert len(seen) == -(-len(expected) // pages.PAGE_SIZE)


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])
async def test_requests_go_past_one_page(dana, pool, htmx):
    assert (await dana.post(dana.url("event_create"), event_form())).status_code == 303
    event_id = await pool.fetchval("SELECT id FROM events")
    names = [f"Asker {n:03}" for n in range(COUNT)]
    ids = await add_people(pool, names)
    await pool.executemany(
        "INSERT INTO connect_requests (event_id, from_id, to_id, created_at)"
        " VALUES ($1, $2, 1, $3)",
        [(event_id, account, moment(n)) for n, account in enumerate(ids)],
    )
    seen = await walk(dana, dana.url("requests"), "#request-list > li", htmx=htmx)
    assert [len(page) for page in seen] == [pages.PAGE_SIZE, pages.PAGE_SIZE, 17]
    assert flat(seen) == list(reversed(names))  # newest first, ties by the later request


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])
async def test_events_go_past_one_page(dana, pool, htmx):
    letters = "ABCDEFGHJK"  # join codes: six of the letters they may hold
    names = [f"Event {n:03}" for n in range(COUNT)]
    await pool.executemany(
        "INSERT INTO events (organizer_id, name, starts_at, ends_at, time_zone, join_code)"
        " VALUES (1, $1, $2::timestamptz, $2::timestamptz + interval '2 hours', 'UTC', $3)",
        [
            (name, moment(n), "".join(letters[int(d)] for d in f"{n:03}") + "ZZZ")
            for n, name in enumerate(names)
        ],
    )
    seen = await walk(dana, dana.url("events"), "#event-list > li", htmx=htmx)
    assert [len(page) for page in seen] == [pages.PAGE_SIZE, pages.PAGE_SIZE, 17]
    assert flat(seen) == list(reversed(names))


async def test_a_stale_or_forged_cursor_starts_from_the_top(dana, pool):
    ids = await add_people(pool, ["Mia Chen"])
    await pool.execute("INSERT INTO contacts (owner_id, contact_id) VALUES (1, $1)", ids[0])
    for after in ("", "x", "1.2.3", "99999999999999999999.1", "-5.3", "253402300799999999.1"):
        response = await dana.get(dana.url("contacts") + f"?after={after}")
        assert response.status_code == 200
        names = BeautifulSoup(response.text, "html.parser").select("#contact-list .name")
        assert [n.get_text() for n in names] in (["Mia Chen"], [])


def test_a_moment_cursor_reads_back_to_the_same_microsecond():
    at = datetime(2026, 5, 1, 9, 30, 15, 123456, tzinfo=UTC)
    cursor = pages.moment_cursor(at, 42)

    class Fake:
        query_params = {"after": cursor}  # noqa: RUF012 - a stand-in request

    assert pages.after_moment(Fake()) == pages.After(at, 42)  # type: ignore[arg-type]
