"""Contacts search as a phone's: every word typed, in any field and any order; people whose
name has a word starting with what was typed first, then the rest, each newest first; and
"Show more" walks both groups without showing anyone twice or skipping anyone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.phone import Phone, soup
from tests.web.test_pages import COUNT, moment, walk

BASE = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
async def me(new_phone: Any) -> Phone:
    phone: Phone = await new_phone()
    await phone.make_card(name="Me Myself")
    return phone


async def met(pool: Any, people: list[tuple[str, str, str]], *, spacing: bool = True) -> list[int]:
    """My contacts with these cards (name, headline, company), straight in SQL, met in this
    order (the last the newest); their account ids, in the same order."""
    owner = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Me Myself'")
    ids = []
    for n, (name, headline, company) in enumerate(people):
        account = await pool.fetchval(
            "INSERT INTO accounts (time_zone) VALUES ('UTC') RETURNING id"
        )
        await pool.execute(
            "INSERT INTO cards (account_id, name, headline, company) VALUES ($1, $2, $3, $4)",
            account,
            name,
            headline,
            company,
        )
        at = BASE + timedelta(minutes=n) if spacing else moment(n)
        await pool.execute(
            "INSERT INTO contacts (owner_id, contact_id, met_at) VALUES ($1, $2, $3), ($2, $1, $3)",
            owner,
            account,
            at,
        )
        ids.append(account)
    return ids


async def found(me: Phone, typed: str) -> list[str]:
    page = await me.get(me.url("contacts"), params={"q": typed})
    assert page.status_code == 200
    return [el.get_text() for el in soup(page).select(".people .name")]


async def test_names_starting_with_what_was_typed_come_first(me, pool):
    await met(
        pool,
        [
            ("Ed Park", "Guest", ""),
            ("Al Edwards", "Guest", ""),
            ("Bo Chen", "Unemployed", ""),
            ("Fred Ng", "Guest", ""),
            ("Cy Diaz", "Founder", "Red Hat"),
            ("Di Fox", "Medical", ""),
            ("Ann Roe", "Guest", ""),
        ],
    )
    # A word of the name starting with "ed" (newest first), then "ed" anywhere (newest first).
    assert await found(me, "ed") == [
        "Al Edwards",
        "Ed Park",
        "Di Fox",
        "Cy Diaz",
        "Fred Ng",
        "Bo Chen",
    ]
    # Without a search: everyone, newest first, as before.
    page = soup(await me.get(me.url("contacts")))
    assert [el.get_text() for el in page.select(".people .name")][:3] == [
        "Ann Roe",
        "Di Fox",
        "Cy Diaz",
    ]


async def test_every_word_typed_in_any_field_and_any_order(me, pool):
    await met(pool, [("Dana Lee", "Tour guide", "Loom"), ("Lee Park", "Dancer", "")])
    for typed in ("lee dana", "dana guid", "DANA LEE", "guid lee", "loom dana", "dan guide"):
        assert await found(me, typed) == ["Dana Lee"], typed
    assert await found(me, "lee") == ["Lee Park", "Dana Lee"]
    # Lee Park is a dancer: "dan" begins a word of Dana Lee's name, only inside his role.
    assert await found(me, "lee dan") == ["Dana Lee", "Lee Park"]
    for typed in ("dana zzz", "dana park", "tour park"):
        assert await found(me, typed) == [], typed
    # Marks that mean something to LIKE or to a regular expression are plain letters here.
    for typed in ("(", "[a", "\\", "a\\b", "*", "d?", "+", "^$", ".*", "%", "_", "dana .*"):
        assert await found(me, typed) == [], typed


async def test_a_company_kept_from_me_matches_no_word(me, pool):
    [dana] = await met(pool, [("Dana Lee", "Tour guide", "Loom")])
    await pool.execute("UPDATE contacts SET sharing = 'basics' WHERE owner_id = $1", dana)
    assert await found(me, "dana guid") == ["Dana Lee"]
    assert await found(me, "dana loom") == []
    assert await found(me, "loom") == []


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])
async def test_show_more_walks_both_groups_in_order(me, pool, htmx):
    # "sam" begins the name of every third; the others have it inside their role only.
    # Their times interleave and tie in sevens, so a page ends inside a group and between two.
    people = [
        ("Sam Roe" if n % 3 == 0 else "Alex Roe", "Guest" if n % 3 == 0 else "Samba teacher", "")
        for n in range(COUNT)
    ]
    people = [
        (f"{name} {n:03}", headline, company) for n, (name, headline, company) in enumerate(people)
    ]
    await met(pool, people, spacing=False)
    seen = await walk(me, me.url("contacts") + "?q=sam", "#contact-list > ul > li", htmx=htmx)
    newest_first = [name for name, _, _ in reversed(people)]
    expected = [name for name in newest_first if name.startswith("Sam")] + [
        name for name in newest_first if name.startswith("Alex")
    ]
    assert [name for page in seen for name in page] == expected
    assert len(seen) == 3


async def test_a_word_of_a_name_starts_after_a_hyphen_or_an_apostrophe(me, pool):
    await met(
        pool,
        [
            ("Jean-Luc Roy", "Guest", ""),
            ("Siobhan O'Brien", "Guest", ""),
            ("Bo Pollucci", "Guest", ""),
            ("Cy Brienne", "Guest", ""),
            ("Di Lucas", "Guest", ""),
        ],
    )
    assert await found(me, "luc") == ["Di Lucas", "Jean-Luc Roy", "Bo Pollucci"]
    assert await found(me, "brien") == ["Cy Brienne", "Siobhan O'Brien"]
    assert await found(me, "o'b") == ["Siobhan O'Brien"]
