"""My contacts as a spreadsheet: one row each, under a header row that Google Contacts and
HubSpot read without asking what each column is; UTF-8 with a byte order mark, so Excel
reads it as UTF-8 too; no cell that a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncGenerator
from typing import Any
from zoneinfo import ZoneInfo

from server.cards import vcard
from server.db.pool import Connection
from server.db.queries import Queries
from server.export import met

MEDIA_TYPE = "text/csv; charset=utf-8; header=present"
BATCH = 500
BOM = "\ufeff"

# Each column's name is one an importer matches without asking (README, "Export"): HubSpot
# a contact property's label ("First Name", "Last Name", "Email", "Job Title") or internal
# name ("Phone", "Company", "Website"); Google Contacts the names of its own CSV files and
# Outlook's ("First Name", "Last Name", "Company", "Job Title", "Notes"). LinkedIn, Met At
# and Met On are ours, no standard field in either: Notes repeats where and when we met.
# "Website 2" is the card's "One more link" (vCard and JSON carry it too): neither has a
# field it matches without asking; Google Contacts' own files number a second one so
# ("Website 2 - Value"), and a person reading the file sees what it is.
HEADER = (
    "First Name",
    "Last Name",
    "Email",
    "Phone",
    "Company",
    "Job Title",
    "LinkedIn",
    "Website",
    "Website 2",
    "Notes",
    "Met At",
    "Met On",
)

# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets
# (OWASP, "CSV Injection"): "=HYPERLINK(...)" in a name would run on opening the file.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Except a phone number as cards keep it (E.164: "+" and digits): it can hold no formula,
# and a quote in front of it would break the number in every contacts app it goes to.
PHONE_NUMBER = re.compile(r"\+[0-9]{2,15}")
# And a whole email address ("-dana@example.com", "+jobs@…", "=x@…" are valid ones): one @,
# no space, and before it only letters, digits and . _ + = - (no bracket, quote, | or !, so
# no function call and no DDE). A quote in front would be part of the address in every
# contacts app it goes to. An address with other characters the card form lets through
# ("a|b!c@…" is valid) still gets its quote.
EMAIL_ADDRESS = re.compile(r"[A-Za-z0-9._+=-]+@[\w-]+(?:\.[\w-]+)+")


def neutralise(cell: str) -> str:
    """The cell, with a leading quote when a spreadsheet would read it as a formula."""
    if (
        cell.startswith(FORMULA_START)
        and not PHONE_NUMBER.fullmatch(cell)
        and not EMAIL_ADDRESS.fullmatch(cell)
    ):
        return "'" + cell
    return cell


def row(contact: Any, zone: ZoneInfo) -> list[str]:
    family, given = vcard.name_parts(contact["name"])
    cells = [
        given,
        family,
        contact["email"],
        contact["phone"],
        contact["company"],
        contact["headline"],
        contact["linkedin"],
        contact["website"],
        contact["other_link"],
        met.note(contact, zone),
        contact["event_name"] or "",
        met.met_on(contact, zone).isoformat(),
    ]
    return [neutralise(cell) for cell in cells]


async def rows(
    conn: Connection, sql: Queries, owner_id: int, zone: ZoneInfo
) -> AsyncGenerator[str, None]:
    out = io.StringIO()
    # Every cell quoted (OWASP's advice too), rows ending in CRLF (RFC 4180).
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(HEADER)
    yield BOM + out.getvalue()
    async for batch in sql.batches(
        conn, "export.contacts", size=BATCH, owner_id=owner_id, with_photos=False
    ):
        out.seek(0)
        out.truncate()
        writer.writerows(row(contact, zone) for contact in batch)
        yield out.getvalue()
