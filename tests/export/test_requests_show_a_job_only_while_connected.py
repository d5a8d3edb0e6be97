"""Requests to connect in "everything about me": the other person's headline and company only
while the two are connected with no block either way; after a block or a removal (or a
decline) their name only, never their card as it is now."""

from __future__ import annotations

import json

from tests.events.test_routes import attendee, organizer_with_event

NEW_JOB = {"headline": "Head of Sourcing", "company": "Northwind Textiles"}


async def _ids(pool) -> dict[str, int]:
    return {
        r["name"]: r["account_id"] for r in await pool.fetch("SELECT account_id, name FROM cards")
    }


async def _new_job(pool, account_id: int) -> None:
    await pool.execute(
        "UPDATE cards SET headline = $1, company = $2 WHERE account_id = $3",
        NEW_JOB["headline"],
        NEW_JOB["company"],
        account_id,
    )


async def _requests(phone, which: str) -> list[tuple[str, str, str]]:
    """The requests sent or received in ``phone``'s export (whose own card has no new job:
    the new job is nowhere in it)."""
    response = await phone.get(phone.url("export_everything"))
    assert response.status_code == 200
    for word in NEW_JOB.values():
        assert word not in response.text, word
    rows = json.loads(response.content)["requests"][which]
    return [(row["name"], row["headline"], row["company"]) for row in rows]


async def _ben_asks_dee_who_accepts(new_phone, pool):
    _, event_id = await organizer_with_event(new_phone)
    ben = await attendee(new_phone, pool, event_id, "Ben Ode")
    dee = await attendee(new_phone, pool, event_id, "Dee Moss", headline="Tailor", company="Dee's")
    ids = await _ids(pool)
    asked = await ben.post(
        ben.url("request_connect", event_id=event_id, account_id=ids["Dee Moss"])
    )
    assert asked.status_code == 303
    request_id = await pool.fetchval("SELECT id FROM connect_requests")
    ok = await dee.post(dee.url("request_decide", request_id=request_id, decision="accept"))
    assert ok.status_code == 303
    return event_id, ben, dee, ids


async def test_an_accepted_request_shows_the_blockers_name_only(new_phone, pool):
    """Ben asks Dee, Dee accepts: his export reads her job; she changes jobs and blocks him:
    her name only."""
    event_id, ben, dee, ids = await _ben_asks_dee_who_accepts(new_phone, pool)
    assert await _requests(ben, "sent") == [("Dee Moss", "Tailor", "Dee's")]
    await _new_job(pool, ids["Dee Moss"])
    blocked = await dee.post(dee.url("event_block", event_id=event_id, account_id=ids["Ben Ode"]))
    assert blocked.status_code == 303
    assert await _requests(ben, "sent") == [("Dee Moss", "", "")]


async def test_an_accepted_request_shows_the_name_only_after_a_removal(new_phone, pool):
    """Dee removes Ben from her contacts (both rows go), then both change jobs: each export
    reads the other's name only."""
    _, ben, dee, ids = await _ben_asks_dee_who_accepts(new_phone, pool)
    row = await pool.fetchval(
        "SELECT id FROM contacts WHERE owner_id = $1 AND contact_id = $2",
        ids["Dee Moss"],
        ids["Ben Ode"],
    )
    removed = await dee.post(dee.url("contact_remove", contact_id=row))
    assert removed.status_code in (200, 303), removed.status_code
    await _new_job(pool, ids["Dee Moss"])
    assert await _requests(ben, "sent") == [("Dee Moss", "", "")]
    # Dee's side (her own card now has the new job): Ben's, changed too, is not in it.
    await _new_job(pool, ids["Ben Ode"])
    response = await dee.get(dee.url("export_everything"))
    [asked] = json.loads(response.content)["requests"]["received"]
    assert (asked["name"], asked["headline"], asked["company"]) == ("Ben Ode", "", "")


async def test_an_answered_request_shows_the_blockers_name_only(new_phone, pool):
    """Ana asks Ben, Ben declines; Ana changes jobs and blocks Ben: his export (requests
    received) reads her name only."""
    _, event_id = await organizer_with_event(new_phone)
    ana = await attendee(new_phone, pool, event_id, "Ana Silva", company="Old Shop")
    ben = await attendee(new_phone, pool, event_id, "Ben Ode")
    ids = await _ids(pool)
    asked = await ana.post(ana.url("request_connect", event_id=event_id, account_id=ids["Ben Ode"]))
    assert asked.status_code == 303
    request_id = await pool.fetchval("SELECT id FROM connect_requests")
    no = await ben.post(ben.url("request_decide", request_id=request_id, decision="decline"))
    assert no.status_code == 303
    await _new_job(pool, ids["Ana Silva"])
    blocked = await ana.post(ana.url("event_block", event_id=event_id, account_id=ids["Ben Ode"]))
    assert blocked.status_code == 303
    assert await _requests(ben, "received") == [("Ana Silva", "", "")]
