"""The ``HX-*`` request headers as one small typed object, and htmx response helpers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

# What RedirectResponse leaves as it is: URL delimiters, and "%" of what is encoded already.
LOCATION_SAFE = ":/%#?=@[]!$&'()*+,;~"


@dataclass(frozen=True)
class HtmxDetails:
    request: bool
    boosted: bool
    target: str | None
    trigger: str | None
    current_url: str | None
    history_restore: bool

    def __bool__(self) -> bool:
        return self.request

    @property
    def wants_fragment(self) -> bool:
        """Whether a fragment is the right answer. A boosted link and a history restore (the
        Back button after htmx's own history cache missed) replace the whole page, so they
        get the full page, never a bare fragment."""
        return self.request and not self.boosted and not self.history_restore


def htmx(request: Request) -> HtmxDetails:
    headers = request.headers
    return HtmxDetails(
        request=headers.get("hx-request") == "true",
        boosted=headers.get("hx-boosted") == "true",
        target=headers.get("hx-target"),
        trigger=headers.get("hx-trigger"),
        current_url=headers.get("hx-current-url"),
        history_restore=headers.get("hx-history-restore-request") == "true",
    )


def vary_on_htmx(response: Response) -> Response:
    """Pages that serve both a full page and a fragment must not share a cache entry."""
    vary = response.headers.get("vary")
    response.headers["vary"] = f"{vary}, HX-Request" if vary else "HX-Request"
    return response


def location(url: str) -> str:
    """A URL fit for a ``Location`` or ``HX-Redirect`` header: headers are Latin-1 and one
    line, so what is not ASCII (a name, an address) is percent-encoded as UTF-8, as browsers
    do, and so are spaces and line breaks; what is already percent-encoded stays."""
    return quote(url, safe=LOCATION_SAFE)


def redirect(request: Request, url: str) -> Response:
    """Redirect after POST: a 303 for plain forms, ``HX-Redirect`` for htmx."""
    # What ``bool(htmx(request))`` says, without reading the five other headers.
    if request.headers.get("hx-request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": location(url)})
    return Response(status_code=303, headers={"location": location(url)})


TRIGGER_HEADERS = {
    "receive": "HX-Trigger",
    "swap": "HX-Trigger-After-Swap",
    "settle": "HX-Trigger-After-Settle",
}


def trigger_client_event(
    response: Response,
    name: str,
    detail: Any = None,
    *,
    after: Literal["receive", "settle", "swap"] = "receive",
) -> Response:
    """Fire the event ``name`` on the page once htmx has received, swapped or settled this
    response (``HX-Trigger``, ``HX-Trigger-After-Swap``, ``HX-Trigger-After-Settle``)."""
    header = {
        "receive": "HX-Trigger",
        "settle": "HX-Trigger-After-Settle",
        "swap": "HX-Trigger-After-Swap",
    }[after]
    events = json.loads(response.headers.get(header, "{}"))
    events[name] = detail
    response.headers[header] = json.dumps(events)
    return response
