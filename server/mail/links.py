"""The links in our emails: signed, so they work without a session (in any browser, even one
that never saw Reachout), and opening one never acts: each leads to a page with one button.

A mail scanner or a link preview fetches every link in a message; only the button's POST
changes anything. Unsubscribe links never expire (RFC 8058 asks that they keep working);
the others do, after ``LINK_DAYS``.

A link to a page of the app carries the account the email was for (``for``, signed): the same
person may be signed in here to another of their accounts (a guest card in Safari beside the
installed app), where the page would be another account's, or not found. ``meant_for`` reads
it back; ``errors.ForAnotherCard`` is the page said then. A pushed notification's page link
carries the same ``for``, with ``from=push`` (``server/followups/worker.py``), so that the pages
say "notification", not "email".
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlencode

from starlette.requests import Request

from server.cards.cards import load_card
from server.web import errors, signing
from server.web.auth import viewer
from server.web.forms import an_id
from server.web.urls import Urls

LINK_DAYS = 30
# Marks a link to a page of the app as one from our email (errors.from_our_message reads it);
# a pushed notification's page link as one from a notification (errors.from_push).
FROM_EMAIL = {"from": "email"}
FROM_PUSH = {"from": "push"}
# ``for=<account id>.<signature>``: whose email a page link was in. It never expires: it grants
# nothing (the page still needs that account signed in), it only says whose the email was.
FOR = "for"
PAGE_PURPOSE = "mail-page"


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

    def page(
        self,
        account_id: int | None,
        name: str,
        query: dict[str, object] | None = None,
        **params: object,
    ) -> str:
        """A page of the app itself (a contact, Settings), in an email for ``account_id``: it
        needs the browser signed in, and a mail app's browser often is not, so the page says
        to sign in (``FROM_EMAIL``); signed in to another account, it says whose (``FOR``)."""
        query = {**(query or {}), **FROM_EMAIL}
        if account_id is not None:
            query[FOR] = for_mark(self.secret_key, account_id)
        return self._absolute(name, query, **params)


def for_mark(secret_key: str, account_id: int) -> str:
    """The ``for`` of a page link meant for ``account_id``: its id and our signature."""
    return f"{account_id}.{signing.sign(secret_key, PAGE_PURPOSE, account_id)}"


def meant_for(request: Request) -> int | None:
    """The account whose email (or pushed notification) the page link opened was in, when the
    link says so with our signature; None for any other request (a link typed, an older
    email, one tampered with)."""
    account, _, signature = request.query_params.get(FOR, "").partition(".")
    account_id = an_id(account)
    secret_key: str = request.app.state.settings.secret_key
    if account_id is None or not signing.verify(secret_key, signature, PAGE_PURPOSE, account_id):
        return None
    return account_id


async def check_meant_for(request: Request) -> None:
    """Called first by each page our email or a pushed notification links to: opened from one
    in a browser signed in to another account than the one it was for, it is
    ``errors.ForAnotherCard``, not that account's page (not found, or its Settings). Signed
    out, or to that account, or with no good ``for`` (whose account is gone, merged in or
    deleted): the page as ever."""
    if not errors.from_our_message(request):  # ``from=email`` or ``from=push``
        return
    here = viewer(request).account_id
    meant = meant_for(request)
    if here is None or meant is None or meant == here:
        return
    if await load_card(request, meant) is not None:
        raise errors.ForAnotherCard(pushed=errors.from_push(request))


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
