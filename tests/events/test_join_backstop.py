"""One address making accounts at many events' doors: each door counts its own, and the
address counts them all, so a script that makes events to join cannot make thousands of
accounts (each able to ask anyone to connect) from one address."""

from __future__ import annotations

from server.swaps import rates
from tests.events.test_join_rush import joins
from tests.events.test_routes import event_form, join_code, organizer_with_event
from tests.limit_counts import hits, says_wait
from tests.phone import soup, text_of
from tests.swaps.test_flood import used

BOTS = "198.51.100.7"


async def test_one_address_joining_many_events_stops_at_its_own_limit(new_phone, visitor, pool):
    """The address has made all but one of its accounts by joining, at other events: one
    more door takes the last, the next door (its own count nowhere near full) refuses in
    the form, saving nothing; another address joins that door as before."""
    organizer, event_id = await organizer_with_event(new_phone)
    made = await organizer.post(organizer.url("event_create"), event_form(name="Second door"))
    assert made.status_code == 303, made.text
    second = int(made.headers["location"].rsplit("/", 1)[1])
    rule = rates.NEW_ACCOUNTS_PER_ADDRESS
    assert rates.NEW_PER_EVENT_ADDRESS.most < rule.most <= 2000  # four big doors, no more
    await used(pool, rule, BOTS, rule.most - 1)

    assert (await joins(visitor, await join_code(pool, event_id), 0, BOTS)).status_code == 303
    accounts = await pool.fetchval("SELECT count(*) FROM accounts")
    refused = await joins(visitor, await join_code(pool, second), 1, BOTS)
    says_wait(refused, rule.says, within=600)
    form = soup(refused).select_one("main form")
    assert "nothing was saved" in form.select_one('[role="alert"]').get_text()
    assert form.select_one('input[name="name"]')["value"] == "Attendee 1"
    assert "ro_session" not in refused.cookies
    assert await pool.fetchval("SELECT count(*) FROM accounts") == accounts
    assert (
        await pool.fetchval("SELECT count(*) FROM event_attendees WHERE event_id = $1", second)
        == 1  # the organizer
    )
    # Refused all or none: the second door counted nothing for it.
    assert await hits(pool, bucket=rates.NEW_PER_EVENT_ADDRESS.bucket, key=f"{second} %") == 0

    assert (await joins(visitor, await join_code(pool, second), 2, "198.51.100.8")).status_code == (
        303
    )


async def test_ipv6_neighbours_in_one_slash_64_share_the_joining_limit(new_phone, visitor, pool):
    """Counted like the other limits: an IPv6 address by its /64."""
    _, event_id = await organizer_with_event(new_phone)
    rule = rates.NEW_ACCOUNTS_PER_ADDRESS
    await used(pool, rule, "2001:db8:5:6::/64", rule.most)
    refused = await joins(visitor, await join_code(pool, event_id), 1, "2001:db8:5:6:dead:beef::1")
    says_wait(refused, rule.says, within=600)
    assert "Many new cards were made from your network just now" in text_of(refused)
