"""A note past the 2,000 characters a note is saved with (typed, or two joined whole by a
merge: tests/signin/test_merge_keeps_whole_notes.py) is refused in words, 422, never cut: the
note stays as it was and the text sent comes back to be shortened."""

from __future__ import annotations

from tests.phone import Phone, soup, text_of
from tests.signin.test_merging import swap

LIMIT_SAID = "Not saved: please keep your note under 2000 characters. This one has 2,600"
MERGED = ("Knows the Lisbon team. " * 200)[:2599] + "!"  # 2,600 characters


async def dana_and_sam(new_phone, pool) -> tuple[Phone, int]:  # type: ignore[no-untyped-def]
    dana = await new_phone()
    await dana.make_card()
    sam = await new_phone()
    await sam.make_card(name="Sam Park", email="sam@example.com")
    await swap(dana, sam)
    return dana, int(await pool.fetchval("SELECT id FROM contacts WHERE owner_id = 1"))


def note_field(page) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """The note's text as the form shows it, and the error said under it."""
    found = soup(page)
    error = found.select_one("#note-error")
    return found.select_one("textarea#note").text, " ".join(error.text.split()) if error else ""


async def test_a_typed_note_over_the_limit_is_refused_in_words_and_kept(new_phone, pool):
    dana, row = await dana_and_sam(new_phone, pool)
    for htmx in (True, False):
        refused = await dana.post(
            dana.url("contact_note", contact_id=row), {"note": MERGED}, htmx=htmx
        )
        assert refused.status_code == 422
        assert note_field(refused) == (MERGED, f"{LIMIT_SAID}: shorten it, then save again.")
    assert await pool.fetchval("SELECT note FROM contacts WHERE id = $1", row) == ""


async def test_a_stored_note_over_the_limit_is_shown_whole_and_saved_only_shortened(
    new_phone, pool
):
    """As a merge leaves two notes joined: shown whole, with a hint to shorten it; saved as
    it is, refused in words with nothing lost; shortened, saved."""
    dana, row = await dana_and_sam(new_phone, pool)
    await pool.execute(
        "UPDATE contacts SET note = $1, note_updated_at = now() WHERE id = $2", MERGED, row
    )
    page = await dana.get(dana.url("contact", contact_id=row))
    assert note_field(page) == (MERGED, "")
    hint = " ".join(soup(page).select_one("#note-hint").text.split())
    assert "This note is 2,600 characters" in hint and "shorten it before you save" in hint
    as_of = soup(page).select_one("input[name=note_as_of]")["value"]
    for htmx in (True, False):
        refused = await dana.post(
            dana.url("contact_note", contact_id=row),
            {"note": MERGED, "note_as_of": as_of},
            htmx=htmx,
        )
        assert refused.status_code == 422, text_of(refused)
        shown, said = note_field(refused)
        assert shown == MERGED and said.startswith(LIMIT_SAID), said
    assert await pool.fetchval("SELECT note FROM contacts WHERE id = $1", row) == MERGED
    shortened = MERGED[:1990]
    saved = await dana.post(
        dana.url("contact_note", contact_id=row), {"note": shortened, "note_as_of": as_of}
    )
    assert saved.status_code == 303, text_of(saved)
    assert await pool.fetchval("SELECT note FROM contacts WHERE id = $1", row) == shortened
