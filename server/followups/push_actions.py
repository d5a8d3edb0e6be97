"""The signed links behind a reminder notification's "Done" and "Snooze" buttons.

The service worker cannot pass the CSRF check's page headers for us, so each link carries an
HMAC over the follow-up, its owner, the action, the follow-up's round and an expiry, as the
email links do (``server/mail/links.py``). The round makes a link act once: a snooze starts
a new round, so the old notification's buttons (or a copy of their URL) no longer act; the
expiry bounds how long a leaked link is worth anything.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from starlette.datastructures import QueryParams

from server.web import signing

PURPOSE = "push-action"
# A notification can sit on a lock screen for days; after a week its buttons open the app.
ACTION_DAYS = 7
ACTIONS = ("done", "snooze")


class Check(enum.Enum):
    VALID = "valid"
    FORGED = "forged"  # not ours, or tampered with
    EXPIRED = "expired"


def signed_query(
    secret_key: str, followup_id: int, owner_id: int, action: str, round_: int, now: datetime
) -> str:
    until = int((now + timedelta(days=ACTION_DAYS)).timestamp())
    signature = signing.sign(secret_key, PURPOSE, followup_id, owner_id, action, round_, until)
    # Numbers and a hex signature need no escaping (urlencode cost a fifth of a push).
    return f"owner={int(owner_id)}&round={int(round_)}&until={until}&sig={signature}"


def check(
    secret_key: str, followup_id: int, action: str, query: QueryParams, now: datetime
) -> tuple[Check, int, int]:
    """Whether a link is ours and still good, with the owner and round it names."""
    owner, round_, until = (query.get(name, "") for name in ("owner", "round", "until"))
    numbers = (owner, round_, until)
    if action not in ACTIONS or not all(
        n.isascii() and n.isdigit() and len(n) < 19 for n in numbers
    ):
        return Check.FORGED, 0, 0
    if not signing.verify(
        secret_key,
        query.get("sig", ""),
        PURPOSE,
        followup_id,
        int(owner),
        action,
        int(round_),
        int(until),
    ):
        return Check.FORGED, 0, 0
    if now.timestamp() >= int(until):
        return Check.EXPIRED, int(owner), int(round_)
    return Check.VALID, int(owner), int(round_)
