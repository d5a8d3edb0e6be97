"""Strangers in a crowd: accounts made by the join form count against the event's limit on
new accounts from one address, and an organizer's "Who joined" lists anyone blocked either
way apart, by name alone."""

from __future__ import annotations

from server.swaps import rates
from tests.events.test_routes import PLAIN, attendee, event_form, join_code, organizer_with_event
from tests.limit_counts import says_wait
from tests.phone import soup, text_of
from tests.swaps.test_flood import used

BOTS = "198.51.100.7"


def details(n: int) -> dict[str, str]:
    return {"name": f"Bot {n}", "email": f"bot{n}@example.com", "listed": "on"}


async def test_the_join_form_makes_no_more_accounts_than_the_address_may(new_phone, visitor, pool):
    """A script joining from one address with fresh cookie jars gets an account (each with
    its own 30 requests an hour) each time: the event's door takes so many from one address
    in 10 minutes, then says so in the form."""
    _, event_id = await organizer_with_event(new_phone)
    code = await join_code(pool, event_id)
    rule = rates.NEW_PER_EVENT_ADDRESS
    await used(pool, rule, f"{event_id} {BOTS}", rule.most - 1)
    accounts = await pool.fetchval("SELECT count(*) FROM accounts")
    # The last the address may make at this event's door.
    first = await visitor(BOTS)
    last = await first.post(first.url("join_event_submit", code=code), details(0))
    assert last.status_code == 303

    bot = await visitor(BOTS)
    refused = await bot.post(bot.url("join_event_submit", code=code), details(1))
    says_wait(refused, rule.says, within=600)
    assert "Many people joined this event from your network just now" in text_of(refused)
    # Said in the form, which keeps what was typed; nothing made, nobody signed in.
    form = soup(refused).select_one("main form")
    assert "nothing was saved" in form.select_one('[role="alert"]').get_text()
    assert form.select_one('input[name="name"]')["value"] == "Bot 1"
    assert await pool.fetchval("SELECT count(*) FROM accounts") == accounts + 1
    assert "ro_session" not in refused.cookies
    assert await pool.fetchval("SELECT count(*) FROM event_attendees") == 2  # organizer, Bot 0

    # Someone with a card joins from that address all the same: no account is made.
    ana = await visitor(BOTS)
    await ana.make_card(**PLAIN, name="Ana Silva", email="ana@example.com")
    joined = await ana.post(ana.url("join_event_submit", code=code), {"listed": "on"})
    assert joined.status_code == 303
    # And another address makes a card by the join form as before.
    elsewhere = await visitor("198.51.100.8")
    made = await elsewhere.post(elsewhere.url("join_event_submit", code=code), details(2))
    assert made.status_code == 303, made.text


async def test_who_joined_leaves_out_whoever_blocked_the_organizer_or_was_blocked(new_phone, pool):
    """Ana blocks Ben at one event ("You won't see each other here or at other events"),
    then joins the event Ben organizes: his "Who joined" does not list her with the others;
    nor Cy, whom Ben blocked. Both are under "Hidden from you by a block", by name alone, so
    that he can remove them."""
    _, event_id = await organizer_with_event(new_phone)
    ana = await attendee(new_phone, pool, event_id, "Ana Silva", headline="Shop owner")
    ben = await attendee(new_phone, pool, event_id, "Ben Ode")
    cy = await attendee(new_phone, pool, event_id, "Cy Park")
    ids = {
        row["name"]: row["account_id"]
        for row in await pool.fetch("SELECT account_id, name FROM cards")
    }
    blocked = await ana.post(ana.url("event_block", event_id=event_id, account_id=ids["Ben Ode"]))
    assert blocked.status_code == 303
    assert (
        await ben.post(ben.url("event_block", event_id=event_id, account_id=ids["Cy Park"]))
    ).status_code == 303

    made = await ben.post(ben.url("event_create"), event_form(name="Ben's meetup"))
    assert made.status_code == 303, made.text
    bens = int(made.headers["location"].rsplit("/", 1)[1])
    code = await join_code(pool, bens)
    for phone in (ana, cy):
        assert (
            await phone.post(phone.url("join_event_submit", code=code), {"listed": "on"})
        ).status_code == 303
    dee = await new_phone()
    await dee.make_card(**PLAIN, name="Dee Moss", email="dee@example.com")
    assert (
        await dee.post(dee.url("join_event_submit", code=code), {"listed": "on"})
    ).status_code == 303

    page = soup(await ben.get(ben.url("event", event_id=bens)))
    hidden = page.find("ul", attrs={"aria-labelledby": "hidden-by-block"})
    listed = [n.get_text() for n in page.select("ul.people .name")]
    assert [n.get_text() for n in hidden.select(".name")] == ["Cy Park", "Ana Silva"]
    assert listed == ["Dee Moss", "Cy Park", "Ana Silva"]  # Dee above, the two under the heading
    assert "Shop owner" not in page.get_text()
    # Searched for by name: under the heading, and nowhere else.
    found = soup(await ben.get(ben.url("event", event_id=bens) + "?who=ana"))
    assert [n.get_text() for n in found.select("ul.people .name")] == ["Ana Silva"]
    assert found.find("ul", attrs={"aria-labelledby": "hidden-by-block"}) is not None
