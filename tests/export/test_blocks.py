"""What my export says of requests between me and someone in a block: what the app shows,
so that it never tells a block from a decline."""

from __future__ import annotations

import json

from tests.phone import Phone, soup
from tests.roster.test_routes import story

ANA, BEN = 2, 3  # story(): the organizer is 1


async def exported_requests(phone: Phone) -> dict[str, list[tuple[str, str]]]:
    export = json.loads((await phone.get(phone.url("export_everything"))).content)
    return {
        side: [(r["name"], r["status"]) for r in export["requests"][side]]
        for side in ("sent", "received")
    }


async def test_a_request_to_someone_who_blocked_me_reads_sent_as_in_the_app(new_phone, pool):
    """Ana asked Ben and he declined; Ben asks Ana; Ana blocks Ben. The app keeps Ben's
    request in "Sent by you" (the block reads as a decline); his export says the same, and
    keeps Ana's request he declined. Ana, who blocked him, sees neither, in either."""
    event_id, ana, ben = await story(new_phone, pool)
    await ana.post(ana.url("request_connect", event_id=event_id, account_id=BEN))
    request_id = await pool.fetchval("SELECT id FROM connect_requests")
    declined = await ben.post(ben.url("request_decide", request_id=request_id, decision="decline"))
    assert declined.status_code == 303
    await ben.post(ben.url("request_connect", event_id=event_id, account_id=ANA))
    before = await exported_requests(ben)
    assert before == {"sent": [("Ana Silva", "sent")], "received": [("Ana Silva", "declined")]}

    blocked = await ana.post(ana.url("event_block", event_id=event_id, account_id=BEN))
    assert blocked.status_code == 303
    sent = soup(await ben.get(ben.url("requests"))).find("h2", string="Sent by you")
    assert "Ana Silva" in sent.find_next("ul").get_text()  # the app: still "sent"
    assert await exported_requests(ben) == before  # the export: nothing tells

    assert await exported_requests(ana) == {"sent": [], "received": []}
