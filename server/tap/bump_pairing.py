"""The rule that pairs two bumps, as a pure function the database layer applies under a lock.

Two bumps pair when they come from different people sharing a scope (an event both
are at: ``server/tap/bumps.py``), their server-time moments are within ``TOLERANCE_MS``
of each other, their peak forces are alike, and neither has any other such candidate.
Anything more is ambiguous: everyone involved is asked to bump again, because a wrong
pair (my card to a stranger) is far worse than a second bump. A pair stays open to that
retraction until both people have confirmed it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

# Two phones in one bump see the same impact; what separates their reports is the
# error of each phone's clock estimate and the accelerometer's sampling interval
# (bench/bump.py: p99.9 32 ms, max 39 ms apart). Every millisecond more lets more
# strangers' bumps into the window of a crowded event.
TOLERANCE_MS = 40
# Equal and opposite forces on phones of different mass and sensors: within 2x.
FORCE_RATIO = 2.0
# A pair is announced only this long after the later of its two bumps (or after it was
# made, if later), so that a third bump of the same moment, still on its way, makes it
# ambiguous before anyone is asked. bench/bump.py: 80 ms showed no stranger's name in
# two runs and took 40 ms off every answer against 120 ms; at 40 ms, one phone in 30
# was shown a stranger.
SETTLE_MS = 80
# How long a bump waits for its partner before "No phone bumped back".
WAIT_MS = 1500
# A report that arrives late (slow Wi-Fi) waits at least this long after it arrives: its
# partner's report left at the same moment over the same network, and is as late.
LATE_WAIT_MS = 1000
# "Pick who you bumped" lists at most this many of a crowd, for this long after the bump.
MAX_CHOICES = 4
CHOOSE_WITHIN_MS = 60_000
# A bump older than this on arrival, or ahead of the server's clock by more than
# FUTURE_MS, cannot be told from a forged or badly clocked one.
MAX_AGE_MS = 3000
FUTURE_MS = 1000

OPEN = frozenset({"waiting", "paired", "confirmed"})


def wait_until(bumped_at_ms: float, arrived_ms: float) -> float:
    """When a bump reported at ``arrived_ms`` stops waiting for its partner: ``WAIT_MS`` after
    the bump, or ``LATE_WAIT_MS`` after it arrived if later, but never past the last moment a
    partner's report can still be accepted (``MAX_AGE_MS`` after its bump, which is at most
    ``TOLERANCE_MS`` after this one). Without the arrival, a report 1.5-3 s late, accepted,
    gave up at once, and its partner's, as late, found it gone."""
    latest = bumped_at_ms + MAX_AGE_MS + TOLERANCE_MS
    return min(max(bumped_at_ms + WAIT_MS, arrived_ms + LATE_WAIT_MS), latest)


@dataclass(frozen=True)
class Bump:
    id: int
    account_id: int
    at_ms: float
    force: float | None = None
    state: str = "waiting"
    partner_id: int | None = None


def alike(a: Bump, b: Bump) -> bool:
    """Could ``a`` and ``b`` be the two sides of one bump?"""
    if a.account_id == b.account_id or abs(a.at_ms - b.at_ms) > TOLERANCE_MS:
        return False
    if a.force and b.force:
        return max(a.force, b.force) / min(a.force, b.force) <= FORCE_RATIO
    return True


def decide(new: Bump, nearby: Iterable[Bump]) -> list[Bump]:
    """The bumps whose state changes when ``new`` arrives, ``new`` itself first.

    ``nearby`` holds the earlier bumps sharing a scope with ``new`` within its
    tolerance, in any state, and the partners of those that are paired. Swapped ones
    still count, so a late third bump cannot pair with someone else from a crowd.
    Ambiguous ones count too, so a crowd stays a crowd: letting later bumps pair
    past it doubled the swaps made in bench/bump.py, but showed strangers' names
    ("Swap with ...?") to one phone in twenty. Those told "no phone bumped back"
    (unmatched) or "not them" (declined) no longer count.
    """
    others = {bump.id: bump for bump in nearby if bump.id != new.id}
    crowd = [
        bump
        for bump in others.values()
        if alike(new, bump) and bump.state not in ("unmatched", "declined")
    ]
    if not crowd:
        return [replace(new, state="waiting", partner_id=None)]
    if len(crowd) == 1 and crowd[0].state == "waiting":
        partner = crowd[0]
        return [
            replace(new, state="paired", partner_id=partner.id),
            replace(partner, state="paired", partner_id=new.id),
        ]
    changes = [replace(new, state="ambiguous", partner_id=None)]
    for bump in crowd:
        involved = [bump]
        if bump.partner_id is not None and bump.partner_id in others:
            involved.append(others[bump.partner_id])
        for other in involved:
            # A pair both people confirmed is a done swap; anything still open is retracted.
            if other.state in OPEN and all(other.id != change.id for change in changes):
                changes.append(replace(other, state="ambiguous", partner_id=None))
    return changes
