"""The one rate-limit mechanism (``limits.take``): it holds when many take at once, each on
its own connection as separate web processes would, and counts an IPv6 subscriber's /64 once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from starlette.requests import Request

from server.web import limits
from tests.limit_counts import hits

RULE = limits.Rule("test", 10, timedelta(hours=1), "Ten an hour. Try again {wait}.")
OTHER = limits.Rule("test-address", 1000, timedelta(hours=1), "Too many from here.")


async def attempt(app, *checks) -> bool:
    try:
        await limits.take(app.state.pool, app.state.sql, *checks)
    except limits.TooMany:
        return False
    return True


async def test_forty_at_once_on_separate_connections_let_exactly_ten_through(app, pool):
    passed = await asyncio.gather(*(attempt(app, (RULE, "account:7")) for _ in range(40)))
    assert passed.count(True) == 10
    assert await hits(pool, bucket="test") == 10
    # Another key has its own count.
    assert await attempt(app, (RULE, "account:8"))


async def test_a_refused_check_counts_nothing_against_the_others(app, pool):
    for _ in range(10):
        assert await attempt(app, (RULE, "account:7"))
    # The account's limit is used up: the address is not charged for the refused try.
    assert not await attempt(app, (RULE, "account:7"), (OTHER, "192.0.2.1"))
    assert await hits(pool, key="192.0.2.1") == 0


async def test_used_up_says_when_to_try_again(app, pool):
    # Ten counted ten seconds ago, in one slot: taken here, they could straddle a minute's
    # turn and fall in two slots, the first leaving a minute sooner ("in 59 minutes").
    await pool.execute(
        "INSERT INTO limit_slots (bucket, key, slot, hits)"
        " VALUES ('test', 'k', now() - interval '10 seconds', 10)"
    )
    with pytest.raises(limits.TooMany) as refused:
        await limits.take(app.state.pool, app.state.sql, (RULE, "k"))
    assert refused.value.status_code == 429
    assert 3580 < int(refused.value.headers["retry-after"]) <= 3590
    assert refused.value.detail == "Ten an hour. Try again in an hour."


def request_from(host: str) -> Request:
    return Request({"type": "http", "client": (host, 1234), "headers": []})


def test_an_ipv6_subscriber_counts_once_by_its_slash_64():
    one = limits.address_key(request_from("2001:db8:1:2:aaaa::1"))
    other = limits.address_key(request_from("2001:db8:1:2:ffff::9"))
    assert one == other == "2001:db8:1:2::/64"
    assert limits.address_key(request_from("2001:db8:1:3::1")) != one
    assert limits.address_key(request_from("::ffff:192.0.2.7")) == "192.0.2.7"
    assert limits.address_key(request_from("192.0.2.7")) == "192.0.2.7"


async def test_hits_count_for_their_span_and_then_leave(app, pool):
    slot = (
        "INSERT INTO limit_slots (bucket, key, slot, hits)"
        " VALUES ('test', $1, now() - $2::interval, $3)"
    )
    # Ten an hour, all counted 61 minutes ago: gone from the count.
    await pool.execute(slot, "early", timedelta(minutes=61), 10)
    assert await attempt(app, (RULE, "early"))
    # Six half an hour ago and four just now: used up until the six leave, in half an hour.
    await pool.execute(slot, "busy", timedelta(minutes=30), 6)
    await pool.execute(slot, "busy", timedelta(seconds=5), 4)
    with pytest.raises(limits.TooMany) as refused:
        await limits.take(app.state.pool, app.state.sql, (RULE, "busy"))
    assert 1700 < int(refused.value.headers["retry-after"]) <= 1800
    assert refused.value.detail == "Ten an hour. Try again in 30 minutes."


async def test_held_at_once_across_slots_all_given_back_at_once(app, pool):
    """Five requests held at once, counted in two slots (a slot boundary fell between them),
    end together: every one is given back, or the next five would be refused."""
    waits = limits.Rule("test-waits", 5, timedelta(seconds=30), "Five at once.")
    await pool.execute(
        "INSERT INTO limit_slots (bucket, key, slot, hits)"
        " VALUES ('test-waits', 'a', limit_slot($1, now() - interval '1 second'), 2),"
        "        ('test-waits', 'a', limit_slot($1), 3)",
        waits.span,
    )
    await asyncio.gather(
        *(limits.release(app.state.pool, app.state.sql, (waits, "a")) for _ in range(5))
    )
    assert await hits(pool, bucket="test-waits") == 0
    for _ in range(5):
        assert await attempt(app, (waits, "a"))
