"""Which account a page's form was opened for: a form sent from a page of another account
than the one signed in now (another tab switched this browser to another card) is refused
with 409, nothing changed, rather than acting on the account signed in now."""

from __future__ import annotations

from markupsafe import Markup
from starlette.datastructures import FormData
from starlette.requests import Request

from server.web.errors import Titled
from server.web.forms import text
from server.web.urls import url_path

# The hidden field such a form carries: the account its page was shown to. Tap's forms carry
# it too (set by tap.js; checked in server/tap/routes.py, which also takes an account merged
# into this one: a queued swap is kept, not shown. A page of settings shows its own account's
# choices, browsers and devices, so from any other account it is refused).
FIELD = "account"
TITLE = "Opened for another card"
SAID = Markup(
    "This page was opened for another card than the one signed in on this browser now"
    " (another tab switched cards, or merged them), so nothing was changed."
    ' <a href="{}">Open it again</a> to see the card signed in now.'
)


class OpenedForAnother(Titled):
    """409, as Tap's ``ELSEWHERE``: the form is good, and it is which account is signed in
    here now that stands in the way. Said in #flash for htmx (the form stays as it was, still
    naming its own account, so Save again is refused again), a page without JavaScript."""

    def __init__(self, again: str) -> None:
        super().__init__(409, SAID.format(again), title=TITLE)


def refuse_if_opened_for_another(
    request: Request, form: FormData, account_id: int, *, page: str
) -> None:
    """Raise ``OpenedForAnother`` (with a link to ``page``, a route name) when the form names
    an account other than ``account_id``; a form naming none (a page from before the field)
    is taken as it was before."""
    named = text(form, FIELD)
    if named and named != str(account_id):
        raise OpenedForAnother(url_path(request, page))
