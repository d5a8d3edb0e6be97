"""The ``HX-*`` request headers as one small typed object, and htmx response helpers."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response


@dataclass(frozen=True)
class HtmxDetails:
    request: bool
    boosted: bool
    target: str | None
    trigger: str | None
    current_url: str | None

    def __bool__(self) -> bool:
        return self.request


def htmx(request: Request) -> HtmxDetails:
    headers = request.headers
    return HtmxDetails(
        request=headers.get("hx-request") == "true",
        boosted=headers.get("hx-boosted") == "true",
        target=headers.get("hx-target"),
        trigger=headers.get("hx-trigger"),
        current_url=headers.get("hx-current-url"),
    )


def vary_on_htmx(response: Response) -> Response:
    """Pages that serve both a full page and a fragment must not share a cache entry."""
    vary = response.headers.get("vary")
    response.headers["vary"] = f"{vary}, HX-Request" if vary else "HX-Request"
    return response


def redirect(request: Request, url: str) -> Response:
    """Redirect after POST: a 303 for plain forms, ``HX-Redirect`` for htmx."""
    if htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return Response(status_code=303, headers={"location": url})
