"""Readable error pages (or htmx fragments) for every status; never a stack trace."""

from __future__ import annotations

import logging
import math
from urllib.parse import urlencode, urlsplit

import asyncpg
from markupsafe import Markup
from starlette.authentication import AuthenticationError
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, Response

from server.db.pool import DATABASE_AWAY, away_reason
from server.web.htmx import htmx, vary_on_htmx
from server.web.urls import url_path

log = logging.getLogger(__name__)

TITLES = {
    400: "That did not work",
    403: "You can't do that here",
    404: "Not found",
    405: "Not allowed",
    410: "This code no longer works",
    413: "That was too large",
    422: "Please check the form",
    429: "Slow down a little",
    503: "Back in a moment",
}
DATABASE_AWAY_MESSAGE = (
    "We can't reach our database right now. Nothing you did was lost: please try again in a moment."
)
# The database answered, but what this needed was held by other work a while (a lock waited
# for past its timeout, a deadlock's victim): "can't reach" would not be true.
DATABASE_BUSY_MESSAGE = (
    "Reachout is busy with this just now. Nothing you did was lost: please try again in a moment."
)
DATABASE_BUSY = (
    asyncpg.exceptions.LockNotAvailableError,
    asyncpg.exceptions.TransactionRollbackError,
)
# What a browser or a script is told to wait before trying again.
RETRY_AFTER_SECONDS = 5
MESSAGES = {
    404: "There is nothing here. The link may be mistyped or out of date.",
    405: "That page cannot be used this way.",
}


def _size(size: int) -> str:
    mib = 1024 * 1024
    return f"{round(size / mib, 1):g} MB" if size >= mib // 10 else f"{size // 1024} KB"


def too_large(request: Request) -> str:
    """The 413 message, with the photo limit as MAX_PHOTO_BYTES sets it."""
    limit: int = request.app.state.settings.max_photo_bytes
    size = _size(limit)
    return f"That upload or form was too large. Photos can be up to {size}; text fields are short."


def _photo_upload(request: Request) -> bool:
    return request.method == "POST" and request.url.path == url_path(request, "card_photo")


def photo_too_large(request: Request) -> str:
    """The 413 of a photo upload: how large it was (its body's declared length, a few hundred
    bytes of form more than the file) against the limit, and what to do on a phone."""
    limit: int = request.app.state.settings.max_photo_bytes
    declared = request.headers.get("content-length", "")
    sent = "too large"
    if declared.isdigit() and len(declared) <= 12:
        # Rounded up: a photo just over the limit never reads as the limit itself.
        sent = f"{math.ceil(int(declared) * 10 / (1024 * 1024)) / 10:g} MB"
    return (
        f"That photo is {sent}: photos can be up to {_size(limit)}. Your card is as it was."
        " Choose a smaller copy, or take photos at your camera's usual size, not its"
        " high-resolution mode."
    )


def _photo_too_large_in_place(request: Request, message: str) -> Response:
    """Answered where the photo was chosen (the photo form's own part, ``photo_pick`` in
    ``_card_photo.html``), with the choice cleared: the request never reached the handler
    (``BodySizeLimitMiddleware``), so this part alone, which needs nothing of the card."""
    template = request.app.state.templates.get_template("_card_photo.html")
    block = template.blocks["photo_pick"](template.new_context({"photo_error": message}))
    response = HTMLResponse("".join(block), status_code=413)
    response.headers["HX-Retarget"] = "#photo-pick"
    response.headers["HX-Reswap"] = "outerHTML"
    response.headers["HX-Reselect"] = "#photo-pick"
    vary_on_htmx(response)
    return response


def signed_out_here(what: str, *, deleted: bool) -> str:
    """Said above a form sent from a browser signed out since it was shown (Settings on
    another device), which keeps what was typed: ``what`` ("your card") was not saved."""
    if deleted:
        return f"Your account was deleted from another browser, so {what} was not saved."
    return f"You were signed out on this browser. Sign in to save {what}."


SIGN_IN_TITLE = "Sign in to open this"
SIGN_IN_MESSAGE = (
    "This link from our email opens a page of your Reachout, and this browser is not signed in."
    " Sign in with your email address: we'll send you a code."
)
# The same, for a notification tapped here after this browser signed out (it stays on screen).
SIGN_IN_MESSAGE_PUSHED = (
    "This notification opens a page of your Reachout, and this browser is not signed in."
    " Sign in with your email address: we'll send you a code."
)


def from_our_message(request: Request) -> bool:
    """Opened from a link in one of our emails (``from=email``) or from one of our pushed
    notifications (``from=push``): ``server/mail/links.py`` marks them. Either way its reader
    has an account, perhaps not the one this browser is signed in to."""
    return request.query_params.get("from") in ("email", "push")


def from_push(request: Request) -> bool:
    """Opened from a pushed notification, whose page is said in its words, not an email's."""
    return request.query_params.get("from") == "push"


# Neutral: it may be the same person's other card, or someone else's (a forwarded email).
FOR_ANOTHER_CARD = "This email was for another card"
# A notification comes to the device only while it is signed in to the card it is for: tapped
# after switching cards (reminders, digests, requests alike: "notification", not "reminder").
FOR_ANOTHER_CARD_PUSHED = "This notification was for another card"


class Titled(HTTPException):
    """An HTTPException whose page has a heading of its own, rather than its status's."""

    def __init__(self, status_code: int, detail: str, *, title: str) -> None:
        super().__init__(status_code, detail)
        self.title = title


class NoCard(Titled):
    """A page of the signed-in app, asked for by a browser with no account: a new phone, the
    app on an iPhone's home screen, a browser signed out. Its page offers both ways in."""

    def __init__(self, status_code: int, detail: str) -> None:
        super().__init__(status_code, detail, title="No card on this phone yet")


class SignedOutHere(Titled):
    """An action or page of the signed-in app asked for by a browser that was signed in and
    is no longer: signed out from another device (Settings), or its account deleted from
    another browser (``Viewer.signed_out``). Said as it is, with Sign in: "No card on this
    phone yet" was false, and its Make my card would have started a second account. 403, as
    the event and card forms answer the same case."""

    def __init__(self, *, deleted: bool, changing: bool) -> None:
        if deleted:
            title = "Your account was deleted"
        else:
            title = "Nothing was changed" if changing else SIGN_IN_TITLE
        super().__init__(403, title, title=title)
        self.deleted = deleted
        self.changing = changing  # an action (a form, a button), not a page asked for


class ForAnotherCard(Titled):
    """A page opened from our email for one account, in a browser signed in to another (the
    same person's guest card in Safari beside the installed app, or two cards: the check is
    ``links.check_meant_for``). Said, with Sign in back to it, rather than the other account's
    page: not found, or its Settings, where a change does nothing for the email's account.
    409, not 403: the link and the request are good, and the page is theirs to see; it is
    which account this browser is signed in to that stands in the way (as a form left open
    for another account is refused). ``pushed``: opened from a notification, not an email."""

    def __init__(self, *, pushed: bool = False) -> None:
        title = FOR_ANOTHER_CARD_PUSHED if pushed else FOR_ANOTHER_CARD
        super().__init__(409, title, title=title)
        self.pushed = pushed


def _sign_in_back(request: Request) -> str:
    """Sign in, then on to the page shown (``_page_shown``)."""
    back = _page_shown(request)
    return url_path(request, "sign_in") + (f"?{urlencode({'next': back})}" if back else "")


def _page_shown(request: Request) -> str | None:
    """The page to come back to once signed in again: the one asked for, or, for an action
    sent by htmx, the one it was sent from; only a page of the app (``Urls.app_page``)."""
    page = _this_page(request)
    current = htmx(request).current_url
    if page is None and current:
        parts = urlsplit(current)
        page = parts.path + (f"?{parts.query}" if parts.query else "")
    found: str | None = request.app.state.urls.app_page(page)
    return found


def signed_out_response(request: Request, exc: SignedOutHere) -> Response:
    """The answer to ``SignedOutHere``: a notice above the page for htmx (``error_response``:
    the form is not replaced, so what was typed stays), a page otherwise. No Make my card."""
    if exc.deleted:
        so = ", so nothing was changed" if exc.changing else ""
        message = Markup("It was deleted from another browser{}. To start again, make a new card.")
        message = message.format(so)
    else:
        href = _sign_in_back(request)
        then = "and try again." if exc.changing else "to see this page."
        message = Markup('You were signed out on this browser. <a href="{}">Sign in</a> {}').format(
            href, then
        )
    return error_response(request, exc.status_code, message, exc.title)


def for_another_card_response(request: Request, exc: ForAnotherCard) -> Response:
    """The answer to ``ForAnotherCard``. It names no address: the email's own To: line says
    which (a notification's, the card this browser was signed in to), and the card's address
    now (perhaps changed since) is not for whoever holds an old or forwarded email to learn."""
    which = (
        "to the card it was sent to" if exc.pushed else "with the address this email was sent to"
    )
    message = Markup(
        'This browser is signed in to a different card. <a href="{}">Sign in</a> {}, to open it.'
    ).format(_sign_in_back(request), which)
    return error_response(request, exc.status_code, message, exc.title)


def _this_page(request: Request) -> str | None:
    """The page asked for, to come back to once signed in: its path and query, less the
    marks of our email, ``from`` and ``for`` (``server/mail/links.py``): signed in, it is an
    ordinary visit."""
    if request.method != "GET":
        return None
    marks = ("from", "for")
    query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k not in marks])
    return request.url.path + (f"?{query}" if query else "")


def error_response(
    request: Request,
    status_code: int,
    message: str | None = None,
    title: str | None = None,
    *,
    offer_card: bool = False,
    sign_in_first: bool = False,
) -> Response:
    from server.web.templating import render  # templating imports htmx helpers; avoid a cycle

    title = title or TITLES.get(status_code, "Something went wrong")
    if not message and status_code == 413 and _photo_upload(request):
        message = photo_too_large(request)
        if htmx(request):
            return _photo_too_large_in_place(request, message)
    if not message and status_code == 413:
        message = too_large(request)
    message = message or MESSAGES.get(status_code) or "Please try again in a moment."
    context = {
        "title": title,
        "message": message,
        "status_code": status_code,
        "offer_card": offer_card,
        "sign_in_first": sign_in_first,
        "next_page": _this_page(request) if offer_card else None,
    }
    if htmx(request):
        # Show the message where the page keeps its notices, not in place of the form.
        response = render(request, "_flash.html", context, status_code=status_code)
        response.headers["HX-Retarget"] = "#flash"
        response.headers["HX-Reswap"] = "innerHTML show:#flash:top"
        # The whole message, whatever part of an answer the form asked for (hx-select): a
        # form that picks its own element out of the answer showed nothing at all.
        response.headers["HX-Reselect"] = ".notice"
        return response
    return render(request, "error.html", context, status_code=status_code)


async def http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if isinstance(exc, SignedOutHere):
        return signed_out_response(request, exc)
    if isinstance(exc, ForAnotherCard):
        return for_another_card_response(request, exc)
    detail = exc.detail if exc.detail and exc.detail != _default_phrase(exc.status_code) else None
    title = exc.title if isinstance(exc, Titled) else None
    # A link from one of our emails (or notifications): its reader has an account, and this
    # browser (often the mail app's own) is not signed in to it.
    sign_in_first = isinstance(exc, NoCard) and from_our_message(request)
    if sign_in_first:
        title = SIGN_IN_TITLE
        detail = SIGN_IN_MESSAGE_PUSHED if from_push(request) else SIGN_IN_MESSAGE
    response = error_response(
        request,
        exc.status_code,
        detail,
        title,
        offer_card=isinstance(exc, NoCard),
        sign_in_first=sign_in_first,
    )
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def _back_in_a_moment(request: Request, exc: BaseException) -> Response:
    busy = isinstance(exc, DATABASE_BUSY)
    log.warning(
        "database %s on %s %s: %r",
        "busy" if busy else "unavailable",
        request.method,
        request.url.path,
        exc,
    )
    response = error_response(
        request, 503, DATABASE_BUSY_MESSAGE if busy else DATABASE_AWAY_MESSAGE
    )
    response.headers["retry-after"] = str(RETRY_AFTER_SECONDS)
    return response


async def database_away(request: Request, exc: Exception) -> Response:
    """Not a bug: one line, and a page saying to try again, not a 500. Registered for each
    DATABASE_AWAY class, so that Starlette does not re-raise it (and log a traceback) as it
    does for what reaches ``server_error``."""
    return _back_in_a_moment(request, exc)


async def connection_closed(request: Request, exc: Exception) -> Response:
    """A transaction whose connection was cut: the error that said the database went away
    is what the person is told (``away_reason``). Any other InterfaceError is a bug."""
    if (cause := away_reason(exc)) is not None:
        return _back_in_a_moment(request, cause)
    return await server_error(request, exc)


class DatabaseAwayWhileAuthenticating(AuthenticationError):
    """The session could not be looked up: the database is away."""


def authentication_error(conn: HTTPConnection, exc: Exception) -> Response:
    """AuthenticationMiddleware's ``on_error``: the session lookup met the database away."""
    request = conn if isinstance(conn, Request) else Request(conn.scope)
    return _back_in_a_moment(request, exc.__cause__ or exc)


async def unreadable(request: Request, exc: Exception) -> Response:
    """Input that reached a query but no column can hold (``queries.UnstorableText``)."""
    return error_response(request, 400, "That request could not be read.")


async def server_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, DATABASE_AWAY):
        return _back_in_a_moment(request, exc)
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(request, 500, "Something went wrong on our side. Please try again.")


def _default_phrase(status_code: int) -> str:
    from http import HTTPStatus

    return HTTPStatus(status_code).phrase
