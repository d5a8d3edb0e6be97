"""What a push notification says and opens: its words, its page and its buttons' links.

``notification()`` builds the message a delivery's claimed row becomes (small enough for one
push record); ``Paths`` builds the pages it opens, marked with the account it was pushed to,
and its "Done" / "Snooze" links, signed for the device they went to (``device_signature``,
checked by followup_from_notification in server/followups/routes.py). The reminder worker
(server/followups/worker.py) sends what this builds.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from server.followups import push, push_actions, wording
from server.mail.links import FOR, FROM_PUSH, for_mark
from server.web import signing
from server.web.urls import Urls

# A request's push this soon after it was made alerts even over one shown; later (held for a
# waking hour, or retried), it replaces it silently.
REQUEST_ALERTS_WITHIN = timedelta(minutes=10)
# And at most once per this on one device: sixty asked after a talk replace one notification,
# and buzz once, not sixty times; a steady stream buzzes once every two minutes. Both are
# applied by deliveries.claim (its request_alerts), with the database's clock, and written
# there as intervals: tests/roster/test_push_request_burst.py holds them equal to these.
REQUEST_QUIET = timedelta(minutes=2)


def clipped(text: str, limit: int) -> str:
    """At most ``limit`` characters; a text cut short says so."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + push.ELLIPSIS


def notification(row: Any, *, paths: Any, now: datetime, roster_days: int = 30) -> dict[str, Any]:
    """What the service worker shows: small enough for one push record, always. Its page is
    marked with the account it was pushed to (``Paths``): a reminder's owner, a summary's or
    a digest's account, a request's recipient (deliveries.claim selects each)."""
    if row["request_id"] is not None:
        title, body = wording.request(
            row["requester_name"], row["request_event_name"], row["requests_waiting"]
        )
        return {
            "title": clipped(title, 120),
            "body": clipped(body, 600),
            # One tag (and Topic) for every request: a speaker asked by a hundred people has
            # one notification saying how many, not a hundred, and a phone that was offline
            # gets the newest only, which counts them all.
            "tag": "requests",
            # A request made just now alerts, even over one still shown (at the event, each
            # is someone in the room); one held for her morning replaces it silently: a
            # night's forty all go at 09:00 and must not buzz forty times (the first, with
            # nothing shown, still alerts). And at most once per REQUEST_QUIET on a device:
            # a burst after a talk buzzes once. deliveries.claim decides (request_alerts).
            "renotify": bool(row.get("request_alerts")),
            "url": paths.requests(row["request_to_id"]),
            "delivery": row["id"],
        }
    if row.get("summary_account_id") is not None:
        title, body = wording.summary(row["summary_waiting"])
        return {
            "title": title,
            "body": body,
            "tag": "reminders-summary",
            "url": paths.followups(row["summary_account_id"]),
            "delivery": row["id"],
        }
    if row["digest_event_id"] is not None:
        title, body = wording.digest(
            row["digest_met"], row["digest_waiting"], row["digest_event_name"], roster_days
        )
        event_id, attendee = row["digest_event_id"], row["digest_account_id"]
        return {
            "title": clipped(title, 120),
            "body": body,
            "tag": f"digest-{event_id}",
            # Follow-ups waiting: the event's follow-ups. Nobody met there, or all followed
            # up (the event's follow-ups would be empty): the people who were there.
            "url": paths.event_followups(event_id, attendee)
            if row["digest_met"] and row["digest_waiting"]
            else paths.event_people(event_id, attendee),
            "delivery": row["id"],
        }
    # Her notes only when she chose to show them on the lock screen (Settings): by default a
    # push says there are some, not what they say (accounts.notes_on_lock_screen).
    title, body = wording.reminder(
        row, now, row["time_zone"], short=True, notes=bool(row.get("notes_on_lock_screen"))
    )
    # Bound to the device it goes to: signed out (or removed) since, its buttons act no more.
    # They carry no ``for``: signed, they act whichever card is signed in here, and refused
    # (this browser switched cards, which ends the device) the service worker opens "url".
    actions = {
        action: paths.action(
            row["followup_id"],
            row["owner_id"],
            action,
            row["round"],
            now,
            subscription_id=row["subscription_id"],
        )
        for action in ("done", "snooze")
    }
    message = {
        "title": clipped(title, 120),
        "body": clipped(body, 600),
        "tag": push.topic_for(row["contact_id"]),
        "url": paths.contact(row["contact_id"], row["owner_id"]),
        "followup": row["followup_id"],
        "delivery": row["id"],
        "actions": actions,
    }
    return message


@dataclass
class Paths:
    """URL paths the notification opens, built without a request from the route table.

    Given the account it was pushed to, a page's path is marked as our email's page links are
    (``server/mail/links.py``): ``from=push`` and the signed ``for``. The browser may have
    switched to another of the person's cards since, and the page then says whose the
    notification was and offers Sign in back to it (``links.check_meant_for``), rather than
    "That contact is not in your list"; signed out, it says to sign in, in a notification's
    words (``errors.from_push``)."""

    app: Any  # anything with the app's ``routes``: the app, or a Router of its routes
    secret_key: str
    urls: Urls = field(init=False)
    mark_for: Callable[[int], str] = field(init=False)

    def __post_init__(self) -> None:
        self.urls = Urls(self.app.routes)
        # An HMAC each, signed once per account: a batch is often one account's reminders
        # (a night's five, the digests of one person's devices). Bounded, as a worker runs
        # for days; a miss costs one HMAC again.
        self.mark_for = functools.lru_cache(maxsize=4096)(
            functools.partial(for_mark, self.secret_key)
        )

    def _page(
        self,
        account_id: int | None,
        name: str,
        query: dict[str, object] | None = None,
        **params: object,
    ) -> str:
        # No base URL: a path, opened on the origin of the service worker that shows it.
        path = self.urls.path(name, **params)
        marked = dict(query or {})
        if account_id is not None:
            marked.update(FROM_PUSH)
            marked[FOR] = self.mark_for(account_id)
        return f"{path}?{urlencode(marked)}" if marked else path

    def contact(self, contact_id: int, account_id: int | None = None) -> str:
        return self._page(account_id, "contact", contact_id=contact_id)

    def followups(self, account_id: int | None = None) -> str:
        return self._page(account_id, "followups")

    def requests(self, account_id: int | None = None) -> str:
        return self._page(account_id, "requests")

    def event_followups(self, event_id: int, account_id: int | None = None) -> str:
        return self._page(account_id, "followups", {"event": event_id})

    def event_people(self, event_id: int, account_id: int | None = None) -> str:
        return self._page(account_id, "event_people", event_id=event_id)

    def action(
        self,
        followup_id: int,
        owner_id: int,
        action: str,
        round_: int,
        now: datetime,
        *,
        subscription_id: int,
    ) -> str:
        """ "Done" / "Snooze" for this round of the follow-up, until ``ACTION_DAYS`` from now,
        from the device (push subscription) it was sent to: a button tapped again after a
        snooze, a week later, or once that device was signed out, acts no more."""
        path = self.urls.path("followup_from_notification", followup_id=followup_id, action=action)
        query = push_actions.signed_query(
            self.secret_key, followup_id, owner_id, action, round_, now
        )
        device = device_signature(
            self.secret_key, followup_id, owner_id, action, round_, subscription_id
        )
        return f"{path}?{query}&device={int(subscription_id)}&dsig={device}"


# The device a notification's buttons were pushed to, signed apart from push_actions' signature
# (which says nothing of it): a link without both is refused, so one cannot be stripped of its
# device to act from anywhere (followup_from_notification, server/followups/routes.py).
DEVICE_PURPOSE = "push-action-device"


def device_signature(
    secret_key: str, followup_id: int, owner_id: int, action: str, round_: int, device: int
) -> str:
    return signing.sign(secret_key, DEVICE_PURPOSE, followup_id, owner_id, action, round_, device)
