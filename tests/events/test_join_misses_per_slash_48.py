"""Guessing join codes from many /64s of one IPv6 /48 (review r67): each /64 had 600 misses an
hour of its own, and a subscriber given a /48 holds 65,536 of them. Unknown join codes now count
per /48 too, as wrong swap codes do, with the same answer; the next /48 is not held up."""

from __future__ import annotations

from server.events import events, joining
from tests.events.test_routes import join_code, organizer_with_event
from tests.limit_counts import says_wait
from tests.phone import text_of


def wrong_code(real: str) -> str:
    while (code := events.new_code()) == real:
        pass
    return code


async def test_guessing_from_many_slash_64s_of_one_slash_48_is_limited_by_the_slash_48(
    new_phone, visitor, pool, monkeypatch
):
    # Not raising: the knob is new, and without it the guesses below must fail as behaviour.
    monkeypatch.setattr(joining, "MAX_MISSES_PER_IPV6_48", 2, raising=False)
    _olga, event_id = await organizer_with_event(new_phone)
    real = await join_code(pool, event_id)
    answers = []
    for n in range(3):
        # A new /64 of 2001:db8:7::/48 for every guess, signed out, as a script would.
        guesser = await visitor(f"2001:db8:7:{n + 1}::1")
        answers.append(await guesser.get(guesser.url("join_event", code=wrong_code(real))))
    assert [answer.status_code for answer in answers] == [404, 404, 429]
    says_wait(answers[-1], joining.TOO_MANY)
    # The right code from another /64 of that /48 is refused too, the event never named.
    blocked = await visitor("2001:db8:7:ffff::1")
    found = await blocked.get(blocked.url("join_event", code=real))
    says_wait(found, joining.TOO_MANY)
    assert "Lunch & Learn" not in text_of(found)
    # The next /48, and an IPv4 address, still look codes up as before.
    neighbour = await visitor("2001:db8:8:1::1")
    missed = await neighbour.get(neighbour.url("join_event", code=wrong_code(real)))
    assert missed.status_code == 404
    for phone in (neighbour, await visitor("203.0.113.9")):
        opened = await phone.get(phone.url("join_event", code=real))
        assert opened.status_code == 200 and "Lunch & Learn" in text_of(opened)
