"""Searching an event's roster: the same pages whichever way PostgreSQL reads them.

roster_page() (sql/logic.sql) reads each tier either as the event's people in name order,
each card tested for the words, stopping at the page, or as the cards that match through
their GIN index, each looked up at the event, then sorted; the planner chooses by the
letters typed. A meetup of a dozen people among a thousand cards that match what is typed
is read from its own people, never by looking every matching card up at the event (30
people among 200,000 cards: seconds a keystroke). Each way, forced in turn, lists the same
people in the same tiers, order and pages, at a small event and at one of 5,000 more rows.
Counted, not timed: the scans this connection's transaction made.
"""

from __future__ import annotations

from typing import Any

import pytest

from server.events import events

# Cards that are not at the event and match every search below, sorted before its people.
CROWD = 1000
# Attendee rows (of accounts with no card) that make the event a big one.
BIG_EVENT_ROWS = 5000
# The cards' search indexes, which reading the event's people in name order never reads.
CARD_INDEXES = ["cards_name_words", "cards_top_words", "cards_search"]
# Each way of reading a tier, forced by what the planner may use (None: its own choice).
# Without bitmap scans no GIN index can be read: the event's people in name order. Without
# plain and index-only scans nothing is read in name order: the people or the cards that
# match, read in any order, then sorted.
WAYS: dict[str | None, list[str]] = {
    None: [],
    "in name order": ["SET LOCAL enable_bitmapscan = off"],
    "sorted": ["SET LOCAL enable_indexscan = off", "SET LOCAL enable_indexonlyscan = off"],
}

VIEWER = "Ana Viewer"
# name, headline, company, looking for, can help with
PEOPLE = [
    ("Ana Silva", "Recruiter at Northwind", "", "", ""),
    ("Ana Ortiz", "Chef", "", "", ""),
    ("Anders Lund", "Photographer", "", "", ""),
    ("andré Costa", "Student", "", "", ""),
    ("Anika Rao", "Nurse", "", "", ""),
    ("Anna Berg", "Designer", "", "", ""),
    ("Åsa Andersson", "Pilot", "", "", ""),
    ("Bob Ray", "Analyst", "", "", ""),
    ("Chloé Ash", "Angel investor", "", "", ""),
    ("Dana Lee", "Engineer", "Andes Labs", "", ""),
    ("Zoe Park", "Founder", "Anvil & Co", "", ""),
    ("Emil Roy", "Baker", "", "Angel investors in fintech", ""),
    ("Kim Wu", "Teacher", "", "", "Analytics and pricing"),
    ("Lars Moe", "Writer", "", "An intro to recruiters", ""),
    ("Tom Yu", "Chef", "", "", ""),
]
# At the event, matching "an" by name, and never on the viewer's roster.
BLOCKED, BLOCKER, GONE, UNLISTED = "Ana Blocked", "Ana Blocker", "Ana Gone", "Ana Unlisted"

# Every word typed here is found in each tier somewhere, at the event and in the crowd.
TYPED = ["a", "an", "ana", "rec", "ana rec", "fin", "zz"]
# What the viewer sees for "an", tier by tier, each in name order (accents and case folded).
AN = [
    (1, "Ana Ortiz"),
    (1, "Ana Silva"),
    (1, "Anders Lund"),
    (1, "andré Costa"),
    (1, "Anika Rao"),
    (1, "Anna Berg"),
    (1, "Åsa Andersson"),
    (2, "Bob Ray"),  # headline
    (2, "Chloé Ash"),  # headline
    (2, "Dana Lee"),  # company
    (2, "Zoe Park"),  # company
    (3, "Emil Roy"),  # looking for
    (3, "Kim Wu"),  # can help with
    (3, "Lars Moe"),  # looking for
]


async def add_cards(pool: Any, rows: list[tuple[str, str, str, str, str]]) -> dict[str, int]:
    """Accounts with these cards, straight in SQL; their ids by name."""
    made = await pool.fetch(
        "WITH made AS (INSERT INTO accounts (time_zone) SELECT 'UTC' FROM unnest($1::text[])"
        " RETURNING id), numbered AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM made)"
        " INSERT INTO cards (account_id, name, headline, company, looking_for, can_help_with)"
        " SELECT m.id, ($1::text[])[m.n], ($2::text[])[m.n], ($3::text[])[m.n],"
        "        ($4::text[])[m.n], ($5::text[])[m.n]"
        " FROM numbered m RETURNING account_id, name",
        *[list(column) for column in zip(*rows, strict=True)],
    )
    return {row["name"]: row["account_id"] for row in made}


async def small_event(pool: Any) -> tuple[int, int]:
    """The event and its viewer: the people above there, the hidden ones, and a crowd of
    cards elsewhere that match every search; a request each way and a contact."""
    plain = [(name, "Guest", "", "", "") for name in (VIEWER, BLOCKED, BLOCKER, GONE, UNLISTED)]
    ids = await add_cards(pool, plain + PEOPLE)
    viewer = ids[VIEWER]
    event_id = await pool.fetchval(
        "INSERT INTO events (organizer_id, name, starts_at, ends_at, time_zone, join_code)"
        " VALUES ($1, 'Breakfast', now() - interval '1 hour', now() + interval '1 hour',"
        " 'UTC', 'BRK234') RETURNING id",
        viewer,
    )
    await pool.execute(
        "INSERT INTO event_attendees (event_id, account_id, listed, left_at)"
        " SELECT $1, a, a <> $3, CASE WHEN a = $4 THEN now() END FROM unnest($2::bigint[]) a",
        event_id,
        list(ids.values()),
        ids[UNLISTED],
        ids[GONE],
    )
    await pool.executemany(
        "INSERT INTO blocks (blocker_id, blocked_id) VALUES ($1, $2)",
        [(viewer, ids[BLOCKED]), (ids[BLOCKER], viewer)],
    )
    await pool.executemany(
        "INSERT INTO connect_requests (event_id, from_id, to_id) VALUES ($1, $2, $3)",
        [(event_id, viewer, ids["Ana Silva"]), (event_id, ids["Anders Lund"], viewer)],
    )
    await pool.execute(
        "INSERT INTO contacts (owner_id, contact_id, event_id) VALUES ($1, $2, $3)",
        viewer,
        ids["Anna Berg"],
        event_id,
    )
    # Named to sort before everyone at the event, each matching "an" and "rec" in their
    # name and headline and "fin" in what they look for.
    await pool.execute(
        "WITH made AS (INSERT INTO accounts (time_zone) SELECT 'UTC' FROM generate_series(1, $1)"
        " RETURNING id)"
        " INSERT INTO cards (account_id, name, headline, looking_for)"
        " SELECT id, 'Ana Aaron ' || id, 'Recruiter, analyst', 'Angel investors in fintech'"
        " FROM made",
        CROWD,
    )
    # The statistics as PostgreSQL keeps them for these rows, now: left to autovacuum, its
    # analyze came at a moment of its choosing mid-test, under a loaded run, and the plan
    # (and what it reads) changed between two searches.
    await pool.execute(
        "ANALYZE accounts, cards, event_attendees, blocks, connect_requests, contacts"
    )
    return event_id, viewer


async def make_big(pool: Any, event_id: int) -> None:
    """A big event: attendee rows of accounts with no card yet, whom no roster shows."""
    await pool.execute(
        "WITH made AS (INSERT INTO accounts (time_zone) SELECT 'UTC' FROM generate_series(1, $2)"
        " RETURNING id)"
        " INSERT INTO event_attendees (event_id, account_id) SELECT $1, id FROM made",
        event_id,
        BIG_EVENT_ROWS,
    )


async def search(
    conn: Any,
    sql: Any,
    event_id: int,
    viewer: int,
    typed: str,
    after: list[str] | None,
    lim: int,
    way: str | None = None,
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """One page of events.roster, every column of each row, and what it read: scans of the
    cards' search indexes, and look-ups in event_attendees (its indexes and its table);
    read the ``way`` forced (``WAYS``)."""
    counted = (
        "SELECT (SELECT sum(pg_stat_get_xact_numscans(to_regclass(i)))::int"
        "        FROM unnest($1::text[]) i) AS card_indexes,"
        "       (SELECT sum(pg_stat_get_xact_tuples_returned(to_regclass(i)))::int"
        "        FROM unnest($1::text[]) i) AS card_index_rows,"
        "       (SELECT sum(pg_stat_get_xact_numscans(x.indexrelid))::int FROM pg_index x"
        "        WHERE x.indrelid = 'event_attendees'::regclass)"
        "       + pg_stat_get_xact_numscans('event_attendees'::regclass)::int AS attendees"
    )
    # In one transaction: its counts are this connection's own, none of another's.
    async with conn.transaction():
        for setting in WAYS[way]:
            await conn.execute(setting)
        before = await conn.fetchrow(counted, CARD_INDEXES)
        rows = await sql.run(
            conn,
            "events.roster",
            event_id=event_id,
            viewer_id=viewer,
            query=events.prefix_query(typed),
            after=after,
            limit=lim,
        )
        done = await conn.fetchrow(counted, CARD_INDEXES)
    read = {key: value - before[key] for key, value in done.items()}
    return [dict(row) for row in rows], read


async def every_page(
    pool: Any, sql: Any, event_id: int, viewer: int, typed: str, lim: int, way: str | None = None
) -> tuple[list[list[dict[str, Any]]], list[dict[str, int]]]:
    """Each page of a search, "Show more" after "Show more", with what each read."""
    pages, reads, after = [], [], None
    async with pool.acquire() as conn:
        while True:
            rows, read = await search(conn, sql, event_id, viewer, typed, after, lim, way)
            pages.append(rows)
            reads.append(read)
            if len(rows) < lim:
                return pages, reads
            last = rows[-1]
            after = [str(last["tier"]), last["name_key"], str(last["account_id"])]


def shown(pages: list[list[dict[str, Any]]]) -> list[tuple[int, str]]:
    return [(row["tier"], row["name"]) for page in pages for row in page]


def from_its_people(read: dict[str, int]) -> bool:
    """Whether a search read the event's people (a few scans of event_attendees for each
    tier), not every matching card looked up there (the crowd's thousand): a tier whose
    words are rare among the cards may start from the few that match (none of the crowd)."""
    return read["card_index_rows"] < CROWD // 10 and read["attendees"] <= 15


async def test_a_search_at_a_small_event_finds_its_people_among_many_cards(app, pool):
    event_id, viewer = await small_event(pool)
    sql = app.state.sql
    pages, reads = await every_page(pool, sql, event_id, viewer, "an", 51)
    assert shown(pages) == AN
    rows = {row["name"]: row for row in pages[0]}
    # The request sent, the contact and the request waiting for the viewer, as ever.
    assert rows["Ana Silva"]["requested"] is True and rows["Anna Berg"]["requested"] is False
    assert rows["Anna Berg"]["contact_id"] is not None and rows["Ana Silva"]["contact_id"] is None
    assert rows["Anders Lund"]["asked_me"] is not None and rows["Ana Silva"]["asked_me"] is None
    # Read from the event's own people: not one look-up at the event per matching card.
    assert len(reads) == 1 and from_its_people(reads[0]), reads
    for typed, expected in (
        ("rec", [(2, "Ana Silva"), (3, "Lars Moe")]),
        ("ana rec", [(2, "Ana Silva")]),
        ("fin", [(3, "Emil Roy")]),
        ("zz", []),
    ):
        pages, reads = await every_page(pool, sql, event_id, viewer, typed, 51)
        assert shown(pages) == expected, typed
        assert all(from_its_people(read) for read in reads), (typed, reads)


@pytest.mark.parametrize("lim", [2, 51])
async def test_either_way_a_search_shows_the_same_pages(app, pool, lim):
    event_id, viewer = await small_event(pool)
    sql = app.state.sql
    for big in (False, True):
        if big:
            await make_big(pool, event_id)
            await pool.execute("ANALYZE event_attendees")
        from_the_cards = 0
        for typed in TYPED:
            pages, reads = await every_page(pool, sql, event_id, viewer, typed, lim)
            if not big:
                assert all(from_its_people(read) for read in reads), (typed, reads)
            from_the_cards += sum(read["card_indexes"] for read in reads)
            if typed == "an":
                assert shown(pages) == AN
                assert len(pages) == (len(AN) // lim + 1 if lim == 2 else 1)
            walked, walk_reads = await every_page(
                pool, sql, event_id, viewer, typed, lim, "in name order"
            )
            assert all(read["card_indexes"] == 0 for read in walk_reads), (typed, walk_reads)
            each_sorted, _ = await every_page(pool, sql, event_id, viewer, typed, lim, "sorted")
            # The same rows, tiers, order and pages, every column alike.
            assert walked == pages and each_sorted == pages, (big, typed)
        # Some tier, of words rare among the cards ("rec" in a name), was read from the
        # cards that match: that way is among those compared too.
        assert from_the_cards > 0, big
