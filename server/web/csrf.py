"""Cross-site request forgery protection by the browser's own headers, in one middleware.

Every unsafe request (POST and the like) must come from one of our own pages: a
browser says so in ``Sec-Fetch-Site`` (``same-origin``, or ``none`` when the person
typed the address or used a bookmark). Browsers that predate that header still send
``Origin`` with a cross-origin POST, so it must name our own origin. A request with
neither header did not come from a browser page, so no one's cookies were borrowed
and it is let through. The design of Datasette's ``CrossOriginProtectionMiddleware``
and Go's ``http.CrossOriginProtection``: no tokens in pages, scripts or queued actions.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from server.web.errors import error_response

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TRUSTED_FETCH_SITES = frozenset({"same-origin", "none"})
REFUSED = "This page was open too long or came from another site. Reload it and try again."


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def is_cross_origin(scope: Scope, own_origins: frozenset[str]) -> bool:
    """Whether an unsafe request came from a page of another site."""
    headers = Headers(scope=scope)
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site not in TRUSTED_FETCH_SITES
    origin = headers.get("origin")
    if origin is None:
        return False
    # Our origin as this request reached us, and as BASE_URL names it (behind a proxy
    # that terminates TLS, the request itself may say http while the page said https).
    host = headers.get("host", "")
    here = f"{scope.get('scheme', 'http')}://{host}".lower()
    return origin.lower() not in own_origins | {here}


def refusal(request: Request) -> Response:
    # Our scripts (the offline outbox, push settings) read a JSON answer; pages read HTML.
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"status": "failed", "message": REFUSED}, status_code=403)
    return error_response(request, 403, REFUSED, title="Please reload the page")


class CrossOriginProtectionMiddleware:
    """Refuses unsafe cross-origin requests with a readable 403, before any handler runs."""

    def __init__(self, app: ASGIApp, *, base_url: str) -> None:
        self.app = app
        self.own_origins = frozenset({origin_of(base_url)})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] not in SAFE_METHODS
            and is_cross_origin(scope, self.own_origins)
        ):
            await refusal(Request(scope, receive))(scope, receive, send)
            return
        await self.app(scope, receive, send)
