"""The links in our emails: signed, so they work without a session (in any browser, even one
that never saw Reachout), and opening one never acts: each leads to a page with one button.

A mail scanner or a link preview fetches every link in a message; only the button's POST
changes anything. Unsubscribe links never expire (RFC 8058 asks that they keep working);
the others do, after ``LINK_DAYS``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlencode

from server.web import signing
from server.web.forms import an_id
from server.web.urls import Urls

LINK_DAYS = 30
# Marks a link to a page of the app as one from our email (errors.from_our_email reads it).
FROM_EMAIL = {"from": "email"}


@dataclass(frozen=True)
class MailLinks:
    """Absolute URLs for the links in a message, from the route table and BASE_URL."""

    urls: Urls
    base_url: str
    secret_key: str

    def _absolute(self, name: str, query: dict[str, object], **params: object) -> str:
        path = self.urls.path(name, **params)
        return f"{self.base_url}{path}?{urlencode(query)}" if query else f"{self.base_url}{path}"

    def unsubscribe(self, address: str) -> str:
        signature = signing.sign(self.secret_key, "mail-unsubscribe", address)
        return self._absolute("mail_unsubscribe", {"to": address, "sig": signature})

    def confirm(self, email_id: int, now: float | None = None) -> str:
        """The button in "You met" ("Remind me tomorrow") and in "Confirm your address"."""
        until = expiry(now)
        signature = signing.sign(self.secret_key, "mail-confirm", email_id, until)
        return self._absolute("mail_confirm", {"until": until, "sig": signature}, email_id=email_id)

    def followup(self, followup_id: int, round_: int, action: str, now: float | None = None) -> str:
        """ "Done" or "Snooze a week" for one round of a follow-up: acts once."""
        until = expiry(now)
        signature = signing.sign(
            self.secret_key, "mail-followup", followup_id, round_, action, until
        )
        return self._absolute(
            "mail_followup",
            {"round": round_, "until": until, "sig": signature},
            followup_id=followup_id,
            action=action,
        )

    def page(self, name: str, query: dict[str, object] | None = None, **params: object) -> str:
        """A page of the app itself (a contact, Settings): it needs the browser signed in, and
        a mail app's browser often is not, so the page says to sign in (``FROM_EMAIL``)."""
        return self._absolute(name, {**(query or {}), **FROM_EMAIL}, **params)


def expiry(now: float | None = None) -> int:
    return int((time.time() if now is None else now) + LINK_DAYS * 86400)


def valid(secret_key: str, signature: str, until: str, purpose: str, *parts: object) -> bool:
    """The signature is ours and the link has not expired."""
    return state(secret_key, signature, until, purpose, *parts) == "valid"


def state(
    secret_key: str, signature: str, until: str, purpose: str, *parts: object
) -> Literal["valid", "expired", "forged"]:
    """Whether a link we signed still works: "expired" only for a signature of ours, so a
    mistyped or made-up link is never said to have been good once."""
    expires = an_id(until)
    if expires is None or not signing.verify(secret_key, signature, purpose, *parts, expires):
        return "forged"
    return "expired" if expires < time.time() else "valid"
