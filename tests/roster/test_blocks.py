"""Blocking at an event: from a request or the roster, it ends a connection, stops requests
both ways and hides each from the other in the roster and in "people who can help you"."""

from __future__ import annotations

from tests.contacts.test_blocks import blocked_names
from tests.phone import Phone, soup, text_of
from tests.roster.test_routes import story

ANA, BEN = 2, 3  # account ids in story(): the organizer is 1


async def sees(phone: Phone, event_id: int, name: str) -> dict[str, bool]:
    """Whether ``name`` is on my roster and in my matches."""
    roster = text_of(await phone.get(phone.url("event_people", event_id=event_id)))
    matches = text_of(await phone.get(phone.url("event_matches", event_id=event_id)))
    return {"roster": name in roster, "matches": name in matches}


async def test_block_from_a_request_declines_it_and_hides_both_everywhere(new_phone, pool):
    event_id, ana, ben = await story(new_phone, pool)
    assert await sees(ben, event_id, "Ana Silva") == {"roster": True, "matches": True}
    assert await sees(ana, event_id, "Ben Ode") == {"roster": True, "matches": True}
    assert (
        await ben.post(ben.url("request_connect", event_id=event_id, account_id=ANA))
    ).status_code == 303

    inbox = await ana.get(ana.url("requests"))
    button = next(b for b in soup(inbox).select("button") if b.get_text() == "Block Ben Ode")
    blocked = await ana.post(button.find_parent("form")["action"])
    assert blocked.status_code == 303
    assert blocked.headers["location"] == ana.url("requests") + "?notice=blocked"
    page = text_of(await ana.get(blocked.headers["location"]))
    assert "Blocked." in page and "No requests waiting." in page
    assert await pool.fetchval("SELECT status FROM connect_requests") == "declined"
    assert await blocked_names(ana) == ["Ben Ode"]

    assert await sees(ben, event_id, "Ana Silva") == {"roster": False, "matches": False}
    assert await sees(ana, event_id, "Ben Ode") == {"roster": False, "matches": False}
    # Ben's request stays in his "Sent by you", as a decline would: nothing tells him.
    sent = soup(await ben.get(ben.url("requests"))).find("h2", string="Sent by you")
    assert "Ana Silva" in sent.find_next("ul").get_text()
    for me, other in ((ben, ANA), (ana, BEN)):
        asked = await me.post(me.url("request_connect", event_id=event_id, account_id=other))
        assert asked.status_code == 404
    assert await pool.fetchval("SELECT count(*) FROM connect_requests") == 1

    # Unblocked: they see each other again, and Ana may ask (Ben's declined request stays declined).
    await ana.post(ana.url("unblock", account_id=BEN))
    assert await sees(ben, event_id, "Ana Silva") == {"roster": True, "matches": True}
    asked = await ana.post(ana.url("request_connect", event_id=event_id, account_id=BEN))
    assert asked.status_code == 303
    assert "Ana Silva" in text_of(await ben.get(ben.url("requests")))


async def test_blocking_withdraws_my_own_pending_request_and_a_blocked_request_cannot_be_used(
    new_phone, pool
):
    event_id, ana, ben = await story(new_phone, pool)
    await ben.post(ben.url("request_connect", event_id=event_id, account_id=ANA))
    request_id = await pool.fetchval("SELECT id FROM connect_requests")
    # Ben, who asked, blocks Ana from the roster: his request is withdrawn.
    await ben.post(ben.url("event_block", event_id=event_id, account_id=ANA))
    assert await pool.fetchval("SELECT count(*) FROM connect_requests") == 0
    assert "No requests waiting." in text_of(await ana.get(ana.url("requests")))
    for decision in ("accept", "block"):
        gone = await ana.post(ana.url("request_decide", request_id=request_id, decision=decision))
        assert gone.status_code == 404
    assert await pool.fetchval("SELECT count(*) FROM contacts") == 0
    assert await pool.fetchval("SELECT count(*) FROM blocks") == 1


async def test_block_from_the_roster_ends_a_connection_and_says_so(new_phone, pool):
    event_id, ana, ben = await story(new_phone, pool)
    assert (await ben.post(await ana.share_link() + "/swap")).status_code == 303
    roster = await ana.get(ana.url("event_people", event_id=event_id))
    button = next(b for b in soup(roster).select("button") if b.get_text() == "Block Ben Ode")
    # Asked twice: the button is inside "Block Ben Ode…", closed until opened.
    asked = button.find_parent("details")
    assert asked.summary.get_text() == "Block Ben Ode…" and not asked.has_attr("open")
    blocked = await ana.post(button.find_parent("form")["action"])
    assert blocked.status_code == 303
    after = text_of(await ana.get(blocked.headers["location"]))
    assert "Blocked." in after and "Ben Ode" not in after
    assert await pool.fetchval("SELECT count(*) FROM contacts") == 0
    assert await pool.fetchval("SELECT count(*) FROM followups") == 0
    assert "Ana Silva" not in text_of(await ben.get(ben.url("contacts")))
    # And a swap between them is refused, whoever tries.
    for me, them in ((ben, ana), (ana, ben)):
        assert (await me.post(await them.share_link() + "/swap")).status_code == 403


async def test_who_blocked_whom_is_not_revealed_by_roster_or_requests(new_phone, pool):
    event_id, ana, ben = await story(new_phone, pool)
    await ana.post(ana.url("event_block", event_id=event_id, account_id=BEN))
    # What Ben sees when Ana blocked him is what he sees of someone not listed at all.
    hidden = await ben.post(ben.url("request_connect", event_id=event_id, account_id=ANA))
    await pool.execute("UPDATE event_attendees SET listed = false WHERE account_id = $1", ANA)
    await ana.post(ana.url("unblock", account_id=BEN))
    unlisted = await ben.post(ben.url("request_connect", event_id=event_id, account_id=ANA))
    assert (hidden.status_code, text_of(hidden)) == (unlisted.status_code, text_of(unlisted))
