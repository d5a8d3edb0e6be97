"""Export my data in a real browser: Dana, who met Zoë, opens Settings on her phone and taps
each export by its label; each download has a dated name and parses (vCard, CSV, JSON)."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import vobject
from playwright.async_api import expect

from tests.browser.conftest import NewPage
from tests.browser.ui import DANA, Card, leave_details, make_card_from_home, share_link

ZOE = Card(name="Zoë Ångström", email="zoe@example.com")
DATED = r"-\d{4}-\d{2}-\d{2}\."


async def test_each_export_downloads_from_settings_and_parses(
    new_phone_page: NewPage, tmp_path: Path
) -> None:
    dana = await new_phone_page()
    await make_card_from_home(dana, DANA)
    zoe = await new_phone_page()
    await zoe.goto(await share_link(dana))
    await leave_details(zoe, DANA.name, ZOE.name, ZOE.email)

    await dana.goto("/settings")
    section = dana.get_by_role("region", name="Export my data")
    await expect(section).to_be_visible()

    async def download(label: str, filename: str) -> bytes:
        link = section.get_by_role("link", name=label)
        await expect(link).to_have_accessible_description(re.compile(r"\w"))
        async with dana.expect_download() as started:
            await link.tap()
        file = await started.value
        assert await file.failure() is None
        assert re.fullmatch(filename, file.suggested_filename), file.suggested_filename
        saved = tmp_path / file.suggested_filename
        await file.save_as(saved)
        return saved.read_bytes()

    vcf = await download("Contacts for your phone (.vcf)", rf"reachout-contacts{DATED}vcf")
    [card] = vobject.readComponents(vcf.decode())
    assert card.fn.value == ZOE.name
    assert card.email.value == ZOE.email
    assert card.note.value.startswith("Met on ")

    spreadsheet = await download(
        "Contacts as a spreadsheet (.csv)", rf"reachout-contacts{DATED}csv"
    )
    assert spreadsheet.startswith("\ufeff".encode())
    [row] = csv.DictReader(io.StringIO(spreadsheet.decode("utf-8-sig"), newline=""))
    assert (row["First Name"], row["Last Name"], row["Email"]) == ("Zoë", "Ångström", ZOE.email)

    everything = json.loads(
        await download("Everything about me (.json)", rf"reachout-everything{DATED}json")
    )
    assert everything["card"]["name"] == DANA.name
    assert [c["card"]["name"] for c in everything["contacts"]] == [ZOE.name]
    # Still on Settings: a download is not a page.
    await expect(dana.get_by_role("heading", level=1, name="Settings")).to_be_visible()
