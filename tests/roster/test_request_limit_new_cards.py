"""Cards made at the door as a flood of requests: a card made in the last hour with no
address confirmed for it sends five requests to connect in that hour, and is told what lifts
it (review r80). A card with a confirmed address, or older than an hour, asks as before."""

from __future__ import annotations

from server.roster.asking import REQUESTS_BY_NEW_CARD
from tests.events.test_routes import join_code, organizer_with_event
from tests.limit_counts import says_wait
from tests.mailing import confirm_addresses
from tests.phone import text_of
from tests.web.test_pages import add_people

NEW_CARD = "Your card is new, so it can send only 5 requests to connect in its first hour."
LIFTED_BY = "to send more now, confirm your email address in Settings, or try again"


async def at_the_door(new_phone, pool, event_id: int, name: str):
    """Someone with nothing joins by the event's code, making their card in its form."""
    phone = await new_phone()
    joined = await phone.post(
        phone.url("join_event_submit", code=await join_code(pool, event_id)),
        {"name": name, "email": f"{name.split()[0].lower()}@example.com", "listed": "on"},
    )
    assert joined.status_code == 303
    return phone


async def roster_of_six(new_phone, pool):
    _, event_id = await organizer_with_event(new_phone)
    people = await add_people(pool, [f"Person {n}" for n in range(1, 7)])
    await pool.executemany(
        "INSERT INTO event_attendees (event_id, account_id) VALUES ($1, $2)",
        [(event_id, account) for account in people],
    )
    return event_id, people


async def asked(pool, name: str) -> int:
    return int(
        await pool.fetchval(
            "SELECT count(*) FROM connect_requests r JOIN cards c ON c.account_id = r.from_id"
            " WHERE c.name = $1",
            name,
        )
    )


async def test_a_new_unconfirmed_card_is_refused_its_sixth_request_and_told_why(new_phone, pool):
    event_id, people = await roster_of_six(new_phone, pool)
    kai = await at_the_door(new_phone, pool, event_id, "Kai Brandt")
    for person in people[:5]:
        sent = await kai.post(kai.url("request_connect", event_id=event_id, account_id=person))
        assert sent.status_code == 303, text_of(sent)
    sixth = kai.url("request_connect", event_id=event_id, account_id=people[5])
    refused = await kai.post(sixth)
    says_wait(refused, REQUESTS_BY_NEW_CARD.says)
    assert NEW_CARD in text_of(refused) and LIFTED_BY in text_of(refused)
    assert "Nothing was sent" in text_of(refused)
    # Tapped on the list of people (htmx): said in the page's flash, the same words.
    flashed = await kai.post(sixth, htmx=True)
    assert flashed.status_code == 429 and NEW_CARD in text_of(flashed)
    assert await asked(pool, "Kai Brandt") == 5
    # Confirming his address lifts it.
    await confirm_addresses(pool, "kai@example.com")
    assert (await kai.post(sixth)).status_code == 303
    assert await asked(pool, "Kai Brandt") == 6


async def test_a_confirmed_or_hour_old_card_asks_as_before(new_phone, pool):
    event_id, people = await roster_of_six(new_phone, pool)
    mia = await at_the_door(new_phone, pool, event_id, "Mia Chen")
    await confirm_addresses(pool, "mia@example.com")
    leo = await at_the_door(new_phone, pool, event_id, "Leo Park")
    await pool.execute(
        "UPDATE accounts SET created_at = now() - interval '61 minutes'"
        " WHERE id = (SELECT account_id FROM cards WHERE name = 'Leo Park')"
    )
    for phone in (mia, leo):
        for person in people:
            sent = await phone.post(
                phone.url("request_connect", event_id=event_id, account_id=person)
            )
            assert sent.status_code == 303, text_of(sent)
    assert await asked(pool, "Mia Chen") == 6 and await asked(pool, "Leo Park") == 6
