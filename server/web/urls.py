"""Every URL the app builds, from the one route table, by route name.

Handlers (``url_path``), templates (``url_for``), the reminder worker and the service
worker's scripts all go through one ``Urls``: a path is the route's own
``path_format`` filled in through its convertors, so nothing copies a path by hand.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import HTTPConnection
from starlette.routing import BaseRoute, Mount, NoMatchFound, Route

PRINTABLE_ASCII = re.compile(r"[!-~]+")

# The pages of the signed-in app that a phone keeps for when the venue's network is gone
# (never /c/<token>: other people's cards stay on the server).
OFFLINE_PAGES = (
    "share",
    "tap",
    "scan",
    "card",
    "contacts",
    "contact",
    "followups",
    "events",
    "event",
    "event_people",
    "event_matches",
    "requests",
    "settings",
)
# Forms that take something back (a contact removed, an event left): once one works, the
# service worker forgets its kept copies of the page above it and of what is under it.
TAKING_BACK = ("contact_remove", "event_leave")
# Forms that may block someone (from their contact page, an event's list, a request): once one
# works, the service worker forgets its kept copies of my contacts, the list and each page
# (which is theirs is not in the form's address): the list is fetched again at once, the
# pages kept again as they are opened.
BLOCKING = ("contact_block", "event_block", "request_decide")
CONTACTS_PAGES = ("contacts", "contact")
# The form each row of "Sent by you" (on Requests) offers, naming a request I sent: the service
# worker asks whether each request a kept page shows is still shown (server/contacts/
# kept_routes.py), as it asks by the Block forms of the people kept pages show.
SENT = ("request_withdraw",)
# What the service worker fetches or opens, by route name; pages need only the last two.
WORKER_URLS = (
    "home",
    "offline",
    "share",
    "scan",
    "tap",
    "contacts",
    "followups",
    "sync_action",
    "service_worker",
)
PAGE_URLS = ("sync_action", "service_worker")


class Urls:
    def __init__(self, routes: Iterable[BaseRoute]) -> None:
        self._routes: dict[str, Route] = {}
        self._mounts: dict[str, Mount] = {}
        for route in routes:
            if isinstance(route, Route):
                self._routes.setdefault(route.name, route)
            elif isinstance(route, Mount) and route.name:
                self._mounts[route.name] = route

    def path(self, name: str, /, **params: Any) -> str:
        """The path of the named route with ``params`` filled in (``NoMatchFound`` if they
        do not fit it), without walking the route table."""
        route = self._routes.get(name)
        if route is None:
            mount = self._mounts.get(name)
            if mount is None:
                raise NoMatchFound(name, params)
            return str(mount.url_path_for(name, **params))
        convertors = route.param_convertors
        if params.keys() != convertors.keys():
            raise NoMatchFound(name, params)
        return route.path_format.format(
            **{key: convertors[key].to_string(value) for key, value in params.items()}
        )

    def prefix(self, name: str) -> str:
        """The named route's path up to its first parameter (``/c/`` for ``/c/{token}``)."""
        return self._routes[name].path_format.partition("{")[0]

    def pattern(self, name: str) -> str:
        """The named route's path as a JavaScript regular expression."""
        return self._routes[name].path_regex.pattern.replace("(?P<", "(?<")

    def app_page(self, path: object) -> str | None:
        """``path`` (with its query, as ``/followups?event=3``) if it is a page of the
        signed-in app (``OFFLINE_PAGES``) or an event's join page, to go on to after signing
        in; None for anything else: it comes from a URL, and a sign-in must never lead off
        the site or to an action."""
        if not isinstance(path, str) or len(path) > 300 or not path.startswith("/"):
            return None
        if not PRINTABLE_ASCII.fullmatch(path):  # urlsplit drops a newline; never pass one on
            return None
        parts = urlsplit(path)
        if parts.scheme or parts.netloc or parts.fragment:
            return None
        for name in (*OFFLINE_PAGES, "join_event"):
            if self._routes[name].path_regex.fullmatch(parts.path):
                return path
        return None

    def for_worker(self) -> str:
        """The URLs the service worker needs, as JSON: put in front of ``sw.js``."""
        urls: dict[str, Any] = {name: self.path(name) for name in WORKER_URLS}
        urls["static"] = self.path("static", path="")
        urls["offline_pages"] = [self.pattern(name) for name in OFFLINE_PAGES]
        urls["taking_back"] = [self.pattern(name) for name in TAKING_BACK]
        urls["blocking"] = [self.pattern(name) for name in BLOCKING]
        urls["contacts_pages"] = [self.pattern(name) for name in CONTACTS_PAGES]
        urls["sent"] = [self.pattern(name) for name in SENT]
        return json.dumps(urls, separators=(",", ":"))

    def for_pages(self) -> str:
        """The URLs a page's scripts need, as JSON: carried by every page's ``<html>``."""
        return json.dumps({name: self.path(name) for name in PAGE_URLS}, separators=(",", ":"))


def url_path(conn: HTTPConnection, name: str, /, **params: Any) -> str:
    """The path of the named route, in a handler (a path, not a URL: right behind any proxy)."""
    urls: Urls = conn.app.state.urls
    return urls.path(name, **params)
