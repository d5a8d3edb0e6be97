"""The CSV keeps a valid email address that starts with -, + or = as it is (a quote in front
would be part of it in every contacts app it goes to), still neutralises one that could run
in a spreadsheet, and carries the card's "One more link" as vCard and JSON do."""

from __future__ import annotations

import json

from server.export import csv_export
from tests.export.test_routes import download, parse_csv
from tests.phone import Phone


async def mia_met(new_phone, **card: str) -> Phone:
    """Mia swapped with Dana, whose card is ``card``; Mia's phone."""
    dana = await new_phone()
    await dana.make_card(**card)
    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email="mia@example.com")
    assert (await mia.post(await dana.share_link() + "/swap")).status_code == 303
    return mia


async def test_an_address_starting_with_a_sign_is_kept_whole(new_phone):
    for address in ("-dana@example.com", "+jobs@example.com", "=dana@example.com"):
        mia = await mia_met(new_phone, email=address)
        [dana] = parse_csv(await download(mia, "export_csv"))
        assert dana["Email"] == address


def test_only_a_plain_address_is_let_through():
    for address in ("-dana@example.com", "+a.b_c@bücher.de", "=x-y@sub.example.co"):
        assert csv_export.neutralise(address) == address
    # Valid addresses too, but with what a formula or DDE needs: quoted as any other cell.
    for cell in ("=cmd|'/Ccalc'!A0@x.com", "-dana @example.com", "=a@b@example.com", "-a@b"):
        assert csv_export.neutralise(cell) == "'" + cell


async def test_one_more_link_has_its_column(new_phone):
    link = "https://github.com/danalee"
    mia = await mia_met(new_phone, other_link=link)
    response = await download(mia, "export_csv")
    assert "Website 2" in csv_export.HEADER
    [dana] = parse_csv(response)
    assert dana["Website"] == "https://danalee.example.com/"
    assert dana["Website 2"] == link
    # The same link the other exports carry.
    assert link in (await download(mia, "export_vcards")).text
    everything = json.loads((await download(mia, "export_everything")).content)
    assert everything["contacts"][0]["card"]["other_link"] == link
