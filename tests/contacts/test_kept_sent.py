"""``/contacts/kept?sent=``: which requests I sent that a phone's kept "Sent by you" shows are
still shown there, so the service worker drops the rest from the kept copy. The answer follows
the page: what it no longer lists goes, and what it still lists (a request its person blocked
me over reads as a decline there) stays, so the kept copy tells no more than the page."""

from __future__ import annotations

import pytest

from tests.events.test_routes import attendee, organizer_with_event
from tests.phone import text_of


async def ana_asks_ben(new_phone, pool):
    """Ana asks Ben to connect at an event both joined. Returns both phones, the event and
    the request's id."""
    _, event_id = await organizer_with_event(new_phone)
    ana = await attendee(new_phone, pool, event_id, "Ana Silva")
    ben = await attendee(new_phone, pool, event_id, "Ben Ode")
    ben_id = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Ben Ode'")
    asked = await ana.post(ana.url("request_connect", event_id=event_id, account_id=ben_id))
    assert asked.status_code == 303, asked.text[:500]
    request_id = await pool.fetchval("SELECT id FROM connect_requests")
    return ana, ben, event_id, ben_id, request_id


async def still_sent(phone, request_id: int) -> list[str]:
    answer = await phone.get(phone.url("contacts_kept") + f"?sent={request_id}")
    assert answer.status_code == 200, answer.text[:500]
    sent: list[str] = answer.json()["sent"]
    return sent


@pytest.mark.parametrize(
    "what",
    ["Ana withdraws it", "Ben accepts it", "Ana blocks Ben", "Ben deletes his account"],
)
async def test_a_request_sent_by_you_no_longer_listed_is_said_gone(new_phone, pool, what):
    ana, ben, event_id, ben_id, request_id = await ana_asks_ben(new_phone, pool)
    assert await still_sent(ana, request_id) == [str(request_id)]

    if what == "Ana withdraws it":
        done = await ana.post(ana.url("request_withdraw", request_id=request_id))
    elif what == "Ben accepts it":
        done = await ben.post(ben.url("request_decide", request_id=request_id, decision="accept"))
    elif what == "Ana blocks Ben":
        done = await ana.post(ana.url("event_block", event_id=event_id, account_id=ben_id))
    else:
        await pool.execute("SELECT delete_account($1)", ben_id)
        done = None
    if done is not None:
        assert done.status_code == 303, done.text[:500]

    assert "Ben Ode" not in text_of(await ana.get(ana.url("requests")))
    assert await still_sent(ana, request_id) == []


async def test_a_request_its_person_blocked_me_over_stays_as_on_the_page(new_phone, pool):
    """Ben blocks Ana: "Sent by you" still lists her request (a block reads as a decline), so
    the kept copy keeps it too: its going would tell her she was blocked."""
    ana, ben, event_id, _, request_id = await ana_asks_ben(new_phone, pool)
    ana_id = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Ana Silva'")
    blocked = await ben.post(ben.url("event_block", event_id=event_id, account_id=ana_id))
    assert blocked.status_code == 303, blocked.text[:500]
    assert "Ben Ode" in text_of(await ana.get(ana.url("requests")))
    assert await still_sent(ana, request_id) == [str(request_id)]


async def test_someone_elses_request_is_never_said_sent(new_phone, pool):
    """Ben asks about Ana's request to him as if he had sent it: nothing."""
    _, ben, _, _, request_id = await ana_asks_ben(new_phone, pool)
    assert await still_sent(ben, request_id) == []


@pytest.mark.parametrize("sent", ["x", "1,,2", ",".join(["1"] * 101)])
async def test_bad_sent_ids_are_a_readable_400(new_phone, pool, sent):
    ana, *_ = await ana_asks_ben(new_phone, pool)
    answer = await ana.get(ana.url("contacts_kept") + f"?sent={sent}")
    assert answer.status_code == 400
    assert "requests you sent by number" in text_of(answer)
