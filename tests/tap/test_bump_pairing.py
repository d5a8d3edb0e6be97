"""The bump pairing rule: edges of the time tolerance, crowds, forces, and no bump paired twice."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from server.tap.bump_pairing import (
    FORCE_RATIO,
    LATE_WAIT_MS,
    MAX_AGE_MS,
    TOLERANCE_MS,
    WAIT_MS,
    Bump,
    decide,
    wait_until,
)


class Scope:
    """One event's bumps as the database holds them, fed one arrival at a time."""

    def __init__(self) -> None:
        self.bumps: dict[int, Bump] = {}
        self.partners_ever: dict[int, set[int]] = {}

    def arrive(self, bump: Bump) -> Bump:
        nearby = [b for b in self.bumps.values() if abs(b.at_ms - bump.at_ms) <= TOLERANCE_MS]
        nearby += [
            self.bumps[b.partner_id]
            for b in nearby
            if b.partner_id is not None and b.partner_id in self.bumps
        ]
        for change in decide(bump, nearby):
            self.bumps[change.id] = change
            if change.partner_id is not None:
                self.partners_ever.setdefault(change.id, set()).add(change.partner_id)
        return self.bumps[bump.id]

    def state(self, bump_id: int) -> str:
        return self.bumps[bump_id].state


def test_two_bumps_at_the_edge_of_the_tolerance_pair_and_just_past_it_do_not():
    inside = Scope()
    inside.arrive(Bump(1, 10, 1000.0))
    assert inside.arrive(Bump(2, 20, 1000.0 + TOLERANCE_MS)).state == "paired"
    assert inside.bumps[1].partner_id == 2 and inside.bumps[2].partner_id == 1

    outside = Scope()
    outside.arrive(Bump(1, 10, 1000.0))
    assert outside.arrive(Bump(2, 20, 1000.0 + TOLERANCE_MS + 1)).state == "waiting"
    assert outside.state(1) == "waiting"


def test_a_late_arrival_with_an_earlier_moment_pairs_too():
    scope = Scope()
    scope.arrive(Bump(1, 10, 5000.0))
    assert scope.arrive(Bump(2, 20, 5000.0 - TOLERANCE_MS)).state == "paired"


def test_the_same_person_never_pairs_with_themselves():
    scope = Scope()
    scope.arrive(Bump(1, 10, 1000.0))
    assert scope.arrive(Bump(2, 10, 1010.0)).state == "waiting"


def test_three_bumps_at_once_are_ambiguous_for_all_three_even_after_a_pair_was_made():
    scope = Scope()
    scope.arrive(Bump(1, 10, 1000.0))
    scope.arrive(Bump(2, 20, 1020.0))
    assert scope.state(1) == scope.state(2) == "paired"
    assert scope.arrive(Bump(3, 30, 1040.0)).state == "ambiguous"
    assert [scope.state(n) for n in (1, 2)] == ["ambiguous", "ambiguous"]
    assert scope.arrive(Bump(4, 40, 1030.0)).state == "ambiguous", "the crowd stays a crowd"


def test_a_third_bump_near_only_one_of_a_pair_still_retracts_the_pair():
    scope = Scope()
    scope.arrive(Bump(1, 10, 1000.0))
    scope.arrive(Bump(2, 20, 1000.0 + TOLERANCE_MS))
    assert scope.arrive(Bump(3, 30, 1000.0 - TOLERANCE_MS)).state == "ambiguous"
    assert scope.state(1) == scope.state(2) == "ambiguous"


def test_a_swap_both_confirmed_is_not_undone_but_blocks_a_late_third():
    scope = Scope()
    scope.arrive(Bump(1, 10, 1000.0))
    scope.arrive(Bump(2, 20, 1010.0))
    for n in (1, 2):
        scope.bumps[n] = replace(scope.bumps[n], state="swapped")
    scope.arrive(Bump(3, 30, 1020.0))
    assert scope.state(3) == "ambiguous"
    assert scope.state(1) == scope.state(2) == "swapped"


def test_bumps_that_were_told_to_try_again_no_longer_count():
    scope = Scope()
    scope.arrive(Bump(1, 10, 1000.0))
    scope.bumps[1] = replace(scope.bumps[1], state="unmatched")
    assert scope.arrive(Bump(2, 20, 1010.0)).state == "waiting"


def test_very_different_forces_are_not_one_bump():
    scope = Scope()
    scope.arrive(Bump(1, 10, 1000.0, force=10.0))
    assert scope.arrive(Bump(2, 20, 1005.0, force=10.0 * FORCE_RATIO * 1.25)).state == "waiting"
    assert scope.arrive(Bump(3, 30, 1010.0, force=11.0)).state == "paired"
    assert scope.bumps[3].partner_id == 1
    assert scope.state(2) == "waiting", "the harder bump is someone else's"


def test_bumps_in_different_scopes_are_never_compared():
    # Scopes are separated before the rule runs: each Scope here is one event.
    fashion, robotics = Scope(), Scope()
    fashion.arrive(Bump(1, 10, 1000.0))
    assert robotics.arrive(Bump(2, 20, 1000.0)).state == "waiting"
    assert fashion.state(1) == "waiting"


arrivals = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=8),  # account
        st.floats(min_value=0, max_value=2000, allow_nan=False),  # moment
        st.one_of(st.none(), st.floats(min_value=1, max_value=80)),  # force
        st.sampled_from(["arrive", "arrive", "arrive", "confirm", "decline", "give_up"]),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=400, deadline=None)
@given(arrivals)
def test_no_bump_is_ever_paired_twice_and_pairs_are_mutual(steps):
    scope = Scope()
    for number, (account, moment, force, step) in enumerate(steps, start=1):
        if step == "arrive" or not scope.bumps:
            scope.arrive(Bump(number, account, moment, force))
        else:
            # People answer in between arrivals: confirm, say "not them", or give up waiting.
            target = scope.bumps[sorted(scope.bumps)[number % len(scope.bumps)]]
            if step == "confirm" and target.state == "paired":
                scope.bumps[target.id] = replace(target, state="confirmed")
            elif step == "decline" and target.state in ("paired", "confirmed"):
                scope.bumps[target.id] = replace(target, state="declined")
                if target.partner_id is not None:
                    partner = scope.bumps[target.partner_id]
                    scope.bumps[partner.id] = replace(partner, state="declined")
            elif step == "give_up" and target.state == "waiting":
                scope.bumps[target.id] = replace(target, state="unmatched")
        for bump in scope.bumps.values():
            assert len(scope.partners_ever.get(bump.id, ())) <= 1, "paired with two bumps"
            if bump.state in ("paired", "confirmed"):
                partner = scope.bumps[bump.partner_id]  # type: ignore[index]
                assert partner.partner_id == bump.id
                assert partner.account_id != bump.account_id
                assert abs(partner.at_ms - bump.at_ms) <= TOLERANCE_MS


def test_a_late_report_waits_a_while_after_it_arrives_but_not_past_the_last_partner():
    # On time: the wait ends WAIT_MS after the bump, as before.
    assert wait_until(0, 200) == WAIT_MS
    # 1.8 s late: a second from arrival, in which the partner's report, as late, comes too.
    assert wait_until(0, 1800) == 1800 + LATE_WAIT_MS
    # 2.9 s late: only until the last moment a partner's report is still accepted.
    assert wait_until(0, 2900) == MAX_AGE_MS + TOLERANCE_MS
