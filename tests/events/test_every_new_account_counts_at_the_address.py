"""The address's backstop (``NEW_ACCOUNTS_PER_ADDRESS``) counts every account a signed-out
browser makes: by an event's join form, by a share link, and by the first-card form, whose
account then joins events signed in, counting nothing at their doors."""

from __future__ import annotations

from server.swaps import rates
from tests.events.test_join_rush import joins
from tests.events.test_routes import join_code, organizer_with_event
from tests.limit_counts import hits, says_wait
from tests.phone import DEFAULT_CARD, soup
from tests.swaps.test_flood import details, sharer, used

BOTS = "198.51.100.7"
RULE = rates.NEW_ACCOUNTS_PER_ADDRESS


async def test_a_card_made_first_cannot_join_past_a_spent_backstop(new_phone, visitor, pool):
    """The address made its 2,000 accounts: the door refuses, and so does the first-card form
    (the way round it: make a card, then join signed in). The form comes back with what was
    typed, 429 and Retry-After, no account and no session; nobody more is at the event."""
    _, event_id = await organizer_with_event(new_phone)
    code = await join_code(pool, event_id)
    await used(pool, RULE, BOTS, RULE.most)
    assert (await joins(visitor, code, 1, BOTS)).status_code == 429
    accounts = await pool.fetchval("SELECT count(*) FROM accounts")
    bot = await visitor(BOTS)
    refused = await bot.post(bot.url("card_save"), {**DEFAULT_CARD, "name": "Bot 0"})
    assert refused.status_code == 429, refused.text
    assert 0 < int(refused.headers["retry-after"]) <= 600
    assert "ro_session" not in refused.cookies
    form = soup(refused).select_one("main form")
    assert form.select_one('input[name="name"]')["value"] == "Bot 0"
    says_wait(refused, RULE.says, within=600)
    assert await pool.fetchval("SELECT count(*) FROM accounts") == accounts
    joined = await bot.post(bot.url("join_event_submit", code=code), {"listed": "on"})
    assert joined.status_code != 303
    assert (
        await pool.fetchval("SELECT count(*) FROM event_attendees WHERE event_id = $1", event_id)
        == 1  # the organizer
    )
    # Another address makes its card as before.
    other = await visitor("198.51.100.8")
    assert (await other.post(other.url("card_save"), DEFAULT_CARD)).status_code == 303


async def test_a_first_card_spends_the_backstop_the_door_then_refuses(new_phone, visitor, pool):
    """One account left at the address: a first card takes it, and the event's door, its own
    count empty, refuses the next one."""
    _, event_id = await organizer_with_event(new_phone)
    await used(pool, RULE, BOTS, RULE.most - 1)
    bot = await visitor(BOTS)
    assert (await bot.post(bot.url("card_save"), DEFAULT_CARD)).status_code == 303
    assert await hits(pool, bucket=RULE.bucket, key=BOTS) == RULE.most
    assert (await joins(visitor, await join_code(pool, event_id), 1, BOTS)).status_code == 429


async def test_a_share_link_counts_in_the_backstop(new_phone, visitor, pool):
    """A newcomer's details left on a share link make an account too: counted in the
    backstop with the link's own limits, and refused once it is spent, saving nothing."""
    _dana, link = await sharer(new_phone)
    await used(pool, RULE, BOTS, RULE.most - 1)
    bot = await visitor(BOTS)
    assert (await bot.post(link + "/details", details(1))).status_code == 303
    assert await hits(pool, bucket=RULE.bucket, key=BOTS) == RULE.most
    accounts = await pool.fetchval("SELECT count(*) FROM accounts")
    refused = await (await visitor(BOTS)).post(link + "/details", details(2))
    assert refused.status_code == 429
    assert 0 < int(refused.headers["retry-after"]) <= 600
    assert await pool.fetchval("SELECT count(*) FROM accounts") == accounts
    # All or none: the refusal counted nothing against the link's own address limit.
    assert await hits(pool, bucket=rates.NEW_PER_ADDRESS.bucket, key=BOTS) == 1
