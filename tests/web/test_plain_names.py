"""Names that impersonate: a right-to-left override (U+202E) or a zero-width space (U+200B)
makes "Dana Lee" look like someone else, or someone else look like Dana Lee, in a roster, a
crowd or a notification title. Every field typed loses format characters (Unicode category
Cf) and is composed (NFC); one-line fields have their whitespace collapsed. Migration 0018
cleans what was saved before.
"""

from __future__ import annotations

import shutil
import unicodedata
from datetime import UTC, datetime

import asyncpg
import pytest
from starlette.datastructures import FormData

from server.db.migrations import MIGRATIONS_DIR, apply_migrations
from server.followups import wording
from server.web.forms import plain, text
from tests.events.test_routes import attendee, organizer_with_event
from tests.phone import DEFAULT_CARD, soup, text_of

RLO, ZWSP, ZWJ, LRI, SOFT_HYPHEN, BOM = "\u202e", "\u200b", "\u200d", "\u2066", "\u00ad", "\ufeff"


@pytest.mark.parametrize(
    "written",
    [
        "Ana Silva 👩🏽\u200d💻",  # woman technologist, medium skin tone: one emoji
        "🏳\ufe0f\u200d🌈",  # rainbow flag
        "👨\u200d👩\u200d👧",  # family
        "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",  # Scotland
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian, "I want": ZWNJ spells it
        "क्\u200dष",  # Devanagari, a joiner asking for the half form
    ],
)
def test_joiners_that_writing_needs_are_kept(written):
    assert plain(written) == unicodedata.normalize("NFC", written)


def test_every_format_character_is_dropped():
    every_cf = "".join(
        chr(point) for point in range(0x110000) if unicodedata.category(chr(point)) == "Cf"
    )
    assert plain(f"Dana{every_cf} Lee") == "Dana Lee"


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        (f"Dana Lee{RLO}", "Dana Lee"),
        (f"{RLO}eeL anaD", "eeL anaD"),  # shown reversed as "Dana Lee" with the override
        (f"Dana{ZWSP} Lee", "Dana Lee"),
        (f"Da{ZWJ}na {SOFT_HYPHEN}Lee{BOM}", "Dana Lee"),
        (f"{LRI}Dana Lee", "Dana Lee"),
        ("Zoe\u0308", "Zo\u00eb"),  # e + combining diaeresis, composed
        ("e\u200b\u0301", "\u00e9"),  # composed once the invisible character is gone
        ("Dana\x00\x7f\x9b Lee", "Dana Lee"),  # C0, DEL and C1 controls too
        ("line one\nline two\ttab", "line one\nline two\ttab"),
    ],
)
def test_text_fields_lose_format_and_control_characters(typed, kept):
    assert text(FormData([("name", typed)]), "name") == kept


async def test_a_name_with_an_override_cannot_pass_for_another_in_the_roster(new_phone, pool):
    _, event_id = await organizer_with_event(new_phone, name=f"Lunch{ZWSP} &{RLO} Learn")
    dana = await attendee(new_phone, pool, event_id, "Dana Lee")
    # Eve types her name backwards behind an override: it would show as "Dana Lee".
    await attendee(new_phone, pool, event_id, f"{RLO}eeL anaD", headline=f"Recruiter{ZWSP}")
    names = {row["name"] for row in await pool.fetch("SELECT name FROM cards")}
    assert names == {"Olga Organizer", "Dana Lee", "eeL anaD"}
    assert await pool.fetchval("SELECT name FROM events") == "Lunch & Learn"

    roster = await dana.get(dana.url("event_people", event_id=event_id))
    shown = text_of(roster)
    assert RLO not in roster.text and ZWSP not in roster.text
    assert "eeL anaD" in shown and "Lunch & Learn" in shown


async def test_zero_width_characters_do_not_make_a_second_dana(new_phone, pool):
    dana = await new_phone()
    await dana.make_card()
    link = await dana.share_link()
    # A guest leaves details with a name that looks like Dana's own, and a headline too.
    guest = await new_phone()
    response = await guest.post(
        link + "/details",
        {"name": f"Dana{ZWSP} {ZWJ}Lee", "email": "eve@example.com", "headline": f"CEO{RLO}"},
    )
    assert response.status_code == 303
    row = await pool.fetchrow("SELECT name, headline FROM cards WHERE email = 'eve@example.com'")
    assert (row["name"], row["headline"]) == ("Dana Lee", "CEO")
    # The notification title Dana's phone would show reads plain.
    now = datetime.now(UTC)
    title, _ = wording.reminder({"name": row["name"], "met_at": now}, now, "UTC")
    assert title == "Follow up with Dana Lee"


async def test_a_name_of_only_invisible_characters_is_no_name(new_phone, pool):
    phone = await new_phone()
    response = await phone.post(phone.url("card_save"), {**DEFAULT_CARD, "name": RLO + ZWSP})
    assert response.status_code == 422
    assert "Please enter your name." in soup(response).select_one("#err-name").get_text()
    assert await pool.fetchval("SELECT count(*) FROM cards") == 0


async def test_migration_cleans_names_saved_before(admin_url, tmp_path):
    from tests.conftest import create_database, drop_database

    url = await create_database(admin_url, "reachout_plain_names")
    before = sorted(path for path in MIGRATIONS_DIR.glob("*.sql") if path.name < "0018")
    for path in before:
        shutil.copy(path, tmp_path / path.name)
    # The shared functions (logic.sql) are written for the schema as it is now: not applied.
    conn = await asyncpg.connect(url)
    try:
        await apply_migrations(conn, tmp_path, logic=None)
        account = await conn.fetchval("INSERT INTO accounts DEFAULT VALUES RETURNING id")
        await conn.execute(
            "INSERT INTO cards (account_id, name, headline, company, looking_for)"
            " VALUES ($1, $2, $3, $4, $5)",
            account,
            f"{RLO}eeL anaD",
            f"Recruiter{ZWSP} {ZWSP} at",
            "Zoe\u0308 Co",
            f"Line one{ZWSP}\n\nline  two",
        )
        invisible = await conn.fetchval("INSERT INTO accounts DEFAULT VALUES RETURNING id")
        await conn.execute(
            "INSERT INTO cards (account_id, name) VALUES ($1, $2)", invisible, RLO + ZWSP
        )
        shutil.copy(MIGRATIONS_DIR / "0018_plain_names.sql", tmp_path)
        assert await apply_migrations(conn, tmp_path, logic=None) == ["0018_plain_names"]
        rows = {
            row["account_id"]: dict(row)
            for row in await conn.fetch(
                "SELECT account_id, name, headline, company, looking_for FROM cards"
            )
        }
        assert rows[account] == {
            "account_id": account,
            "name": "eeL anaD",
            "headline": "Recruiter at",
            "company": "Zo\u00eb Co",
            "looking_for": "Line one\n\nline  two",  # long fields keep their spacing
        }
        assert rows[invisible]["name"] == "Someone"
    finally:
        await conn.close()
        await drop_database(admin_url, "reachout_plain_names")
