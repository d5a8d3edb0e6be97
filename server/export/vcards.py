"""Every contact as one vCard 3.0 file: the card "Save contact" gives for each, one after
another, each with a note of where and when we met and mine. iOS Contacts, Google Contacts
and Outlook each import such a file whole."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from zoneinfo import ZoneInfo

from server.cards import vcard
from server.db.pool import Connection
from server.db.queries import Queries
from server.export import met

MEDIA_TYPE = "text/vcard; charset=utf-8"
# Rows read at a time: each may carry a photo of tens of kilobytes.
BATCH = 100


async def cards(
    conn: Connection, sql: Queries, owner_id: int, zone: ZoneInfo
) -> AsyncGenerator[str, None]:
    async for batch in sql.batches(
        conn, "export.contacts", size=BATCH, owner_id=owner_id, with_photos=True
    ):
        for contact in batch:
            yield vcard.build(
                contact, note=met.note(contact, zone), photo_jpeg=contact["photo_jpeg"]
            )
