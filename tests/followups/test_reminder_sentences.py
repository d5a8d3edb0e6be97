"""A reminder names what was promised and asked in sentences: one full stop, never two.

wording.reminder words the push, the email and the calendar entry alike."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from server.followups import wording

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def body(promised: str = "", they_asked: str = "") -> str:
    item = {"name": "Sam Lee", "met_at": NOW, "promised": promised, "they_asked": they_asked}
    return wording.reminder(item, NOW, "UTC")[1]


@pytest.mark.parametrize(
    ("promised", "said"),
    [
        ("an intro to Sam", "You promised: an intro to Sam."),
        ("an intro to Sam.", "You promised: an intro to Sam."),
        ("an intro to Sam!", "You promised: an intro to Sam!"),
        ("to ask Dana, maybe…", "You promised: to ask Dana, maybe…"),
        ("an intro to Sam.  ", "You promised: an intro to Sam."),
    ],
)
def test_a_promise_ends_in_one_stop(promised, said):
    assert body(promised=promised) == f"You met today. {said}"


@pytest.mark.parametrize(
    ("asked", "said"),
    [
        ("Are you hiring?", "They asked: Are you hiring?"),
        ("a designer", "They asked: a designer."),
        ("a designer...", "They asked: a designer..."),
    ],
)
def test_what_they_asked_ends_in_one_stop(asked, said):
    assert body(promised="an intro to Sam.", they_asked=asked) == (
        f"You met today. You promised: an intro to Sam. {said}"
    )


@pytest.mark.parametrize(
    ("promised", "asked", "said"),
    [
        ("an intro to Sam", "", "What you promised is in Reachout."),
        ("", "Are you hiring?", "What they asked is in Reachout."),
        ("an intro", "rates", "What you promised and what they asked are in Reachout."),
    ],
)
def test_a_push_without_them_says_which_reachout_has(promised, asked, said):
    """A push by default (Settings' "Show what I promised and what they asked on the lock
    screen" unticked): what is left out, in the checkbox's words, and none of it."""
    item = {"name": "Sam Lee", "met_at": NOW, "promised": promised, "they_asked": asked}
    assert wording.reminder(item, NOW, "UTC", notes=False)[1] == f"You met today. {said}"
    assert len(said) <= 60
    nothing = {**item, "promised": "", "they_asked": ""}
    assert wording.reminder(nothing, NOW, "UTC", notes=False)[1] == "You met today."
