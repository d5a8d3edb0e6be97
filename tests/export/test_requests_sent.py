"""What my export says of the people I asked to connect: their name, as "Sent by you" shows
it, until they accept; never their card as it is now, so a block reads as a decline and
the blocker's new job stays theirs."""

from __future__ import annotations

import json

from tests.events.test_routes import attendee, organizer_with_event
from tests.phone import Phone

NEW_JOB = {"headline": "Head of Sourcing", "company": "Northwind Textiles"}


async def exported(phone: Phone) -> tuple[str, dict[str, dict[str, str]]]:
    """The export's text, and its requests sent by the name of whom they went to."""
    response = await phone.get(phone.url("export_everything"))
    assert response.status_code == 200
    sent = json.loads(response.content)["requests"]["sent"]
    return response.text, {
        row["name"]: {key: row[key] for key in ("headline", "company", "status")} for row in sent
    }


async def test_requests_not_accepted_export_the_name_only_whoever_blocked(new_phone, pool):
    """Ben asks Ana, Cy and Dee. Dee accepts; Cy declines; Ana changes jobs, then blocks
    him. Ben's export names Ana and Cy alike, with no headline or company (Ana's new job
    nowhere in it), and keeps Dee's."""
    _, event_id = await organizer_with_event(new_phone)
    ana = await attendee(new_phone, pool, event_id, "Ana Silva", company="Old Shop")
    ben = await attendee(new_phone, pool, event_id, "Ben Ode")
    cy = await attendee(new_phone, pool, event_id, "Cy Park", headline="Buyer", company="Acme")
    dee = await attendee(new_phone, pool, event_id, "Dee Moss", headline="Tailor", company="Dee's")
    ids = {
        row["name"]: row["account_id"]
        for row in await pool.fetch("SELECT account_id, name FROM cards")
    }
    for name in ("Ana Silva", "Cy Park", "Dee Moss"):
        asked = await ben.post(ben.url("request_connect", event_id=event_id, account_id=ids[name]))
        assert asked.status_code == 303
    rows = await pool.fetch("SELECT id, to_id FROM connect_requests")
    requests = {row["to_id"]: row["id"] for row in rows}
    for phone, name, decision in ((dee, "Dee Moss", "accept"), (cy, "Cy Park", "decline")):
        answered = await phone.post(
            phone.url("request_decide", request_id=requests[ids[name]], decision=decision)
        )
        assert answered.status_code == 303

    # Ana's card as it is now: her new job, then her block.
    await pool.execute(
        "UPDATE cards SET headline = $1, company = $2 WHERE account_id = $3",
        NEW_JOB["headline"],
        NEW_JOB["company"],
        ids["Ana Silva"],
    )
    blocked = await ana.post(ana.url("event_block", event_id=event_id, account_id=ids["Ben Ode"]))
    assert blocked.status_code == 303

    text, sent = await exported(ben)
    assert sent == {
        "Ana Silva": {"headline": "", "company": "", "status": "sent"},
        "Cy Park": {"headline": "", "company": "", "status": "sent"},
        "Dee Moss": {"headline": "Tailor", "company": "Dee's", "status": "accepted"},
    }
    for word in (*NEW_JOB.values(), "Old Shop", "Acme"):
        assert word not in text, word
