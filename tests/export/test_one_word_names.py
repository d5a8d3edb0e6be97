"""A name of one word is a given name, as iOS and Google Contacts file one typed alone: the
vCard's N has it second (``N:;Bob;;;``) and the spreadsheet's "First Name" holds it, so a
phone does not list "Bob" as a surname. A name of several words keeps its last word as the
family name; a name written without spaces (Chinese, Japanese) stays whole as the given name.
FN is always the name as typed."""

from __future__ import annotations

import re

from tests.export.test_routes import download, parse_csv, swap

NAMES = ("Bob", "Dana Lee", "王芳")


async def met_all(new_phone):
    """Mia swapped cards with Bob, Dana Lee and 王芳, in that order."""
    me = await new_phone()
    await me.make_card(name="Mia Chen", email="mia@example.com")
    for name in NAMES:
        other = await new_phone()
        await other.make_card(name=name)
        await swap(me, other)
    return me


def unfolded_lines(text: str) -> list[str]:
    return re.sub(r"\r\n[ \t]", "", text).split("\r\n")


async def test_the_vcard_export_files_a_one_word_name_as_the_given_name(new_phone):
    me = await met_all(new_phone)
    lines = unfolded_lines((await download(me, "export_vcards")).text)
    cards = {
        fn.removeprefix("FN:"): lines[index - 1]
        for index, fn in enumerate(lines)
        if fn.startswith("FN:")
    }
    assert cards == {"Bob": "N:;Bob;;;", "Dana Lee": "N:Lee;Dana;;;", "王芳": "N:;王芳;;;"}


async def test_the_spreadsheet_puts_a_one_word_name_under_first_name(new_phone):
    me = await met_all(new_phone)
    rows = parse_csv(await download(me, "export_csv"))
    assert [(row["First Name"], row["Last Name"]) for row in rows] == [
        ("Bob", ""),
        ("Dana", "Lee"),
        ("王芳", ""),
    ]


async def test_save_to_phone_files_a_one_word_name_as_the_given_name(new_phone, pool):
    bob = await new_phone()
    await bob.make_card(name="Bob")
    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email="mia@example.com")
    await swap(mia, bob)
    contact_id = await pool.fetchval(
        "SELECT c.id FROM contacts c JOIN cards k ON k.account_id = c.contact_id"
        " WHERE k.name = 'Bob'"
    )
    saved = await mia.get(mia.url("contact_vcard", contact_id=contact_id))
    assert saved.status_code == 200
    lines = unfolded_lines(saved.text)
    assert "FN:Bob" in lines
    assert "N:;Bob;;;" in lines
