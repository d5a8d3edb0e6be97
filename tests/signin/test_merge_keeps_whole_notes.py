"""Merging two accounts that both noted things about one person keeps both notes whole, even
past the 2,000 characters a note is saved with (they were cut there, the end lost unseen); the
note's form then shows it all and says to shorten it before saving a change."""

from __future__ import annotations

from tests.phone import soup, text_of
from tests.signin.test_merge_keeps_ask_first import merge
from tests.signin.test_merging import swap

# A note of 1,900 characters typed on each card: 3,802 once joined (with a blank line).
SAFARI_NOTE = ("Knows the Lisbon team, ask about the spring fair. " * 40)[:1889] + " SAFARI END"
APP_NOTE = ("Wants an intro to our buyer in Porto next month. " * 40)[:1892] + " APP END"


async def test_both_notes_are_kept_whole_and_the_form_says_to_shorten(new_phone, pool):
    safari = await new_phone()
    await safari.make_card()
    sam = await new_phone()
    await sam.make_card(name="Sam Park", email="sam@example.com")
    await swap(safari, sam)
    installed = await new_phone()
    await installed.make_card(name="Dana L.", email="dana.l@example.com")
    await swap(installed, sam)
    rows = await pool.fetch("SELECT owner_id, id FROM contacts WHERE contact_id = 2")
    for phone, (_, row), note in zip(
        (safari, installed), sorted(rows), (SAFARI_NOTE, APP_NOTE), strict=True
    ):
        saved = await phone.post(phone.url("contact_note", contact_id=row), {"note": note})
        assert saved.status_code == 303, text_of(saved)

    await merge(safari, installed)

    joined = f"{SAFARI_NOTE}\n\n{APP_NOTE}"
    assert len(joined) == 3802
    [row] = await pool.fetch("SELECT id, note FROM contacts WHERE contact_id = 2")
    assert row["note"] == joined, "both notes whole, neither end cut"
    page = soup(await installed.get(installed.url("contact", contact_id=row["id"])))
    field = page.select_one("textarea#note")
    assert field is not None and field.text == joined
    hint = " ".join(page.select_one("#note-hint").text.split())
    assert "This note is 3,802 characters" in hint and "shorten it" in hint, hint
