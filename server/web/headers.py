"""Security and caching headers added to every response."""

from __future__ import annotations

import base64
import hashlib
import posixpath
from collections.abc import Mapping

from starlette.datastructures import MutableHeaders, QueryParams
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.web.templating import shipped_static_versions


def style_hash(css: str) -> str:
    digest = hashlib.sha256(css.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, inline_css: str, hsts: bool) -> None:
        self.app = app
        self.headers = {
            # Only our own files; the one inline stylesheet is allowed by its hash.
            "content-security-policy": (
                "default-src 'self'; script-src 'self'; "
                f"style-src 'self' {style_hash(inline_css)}; img-src 'self' data:; "
                "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
            ),
            "x-content-type-options": "nosniff",
            # Share links carry a token: never leak it to other sites.
            "referrer-policy": "no-referrer",
            "permissions-policy": "camera=(self), microphone=(), geolocation=()",
        }
        if hsts:
            self.headers["strict-transport-security"] = "max-age=31536000"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
                if "cache-control" not in headers:
                    # Pages hold personal data: never store them in shared caches.
                    headers["cache-control"] = (
                        "no-store" if scope["path"] != "/sw.js" else "no-cache"
                    )
            await send(message)

        await self.app(scope, receive, send_with_headers)


class VersionedStatic:
    """Static files, cached for a year when the URL carries this file's content version.

    A ``?v=`` naming another version is answered 404 (never stored), not with the file we
    have: in a rolling deploy a new page's ``app.js?v=NEW`` may reach an old process, whose
    file would then be kept under the new address for a year, by the browser, by shared
    caches and by the service worker (its Cache API keeps any 200, whatever Cache-Control
    says), until the file changed again. A 404 makes the worker's precache fail and its
    install be tried again later; the page itself still works without its script (every
    form does), and the next load most likely reaches a process of the same release."""

    def __init__(self, app: ASGIApp, versions: Mapping[str, str] | None = None) -> None:
        self.app = app
        # Hashed as the pages hash them (once, at start-up): the versions this process sends.
        self.versions = shipped_static_versions() if versions is None else versions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        asked = QueryParams(scope.get("query_string", b"")).getlist("v")
        if asked:
            path = scope["path"].removeprefix(scope.get("root_path", "")).lstrip("/")
            current = self.versions.get(posixpath.normpath(path))
            if any(version != current for version in asked):
                await other_version()(scope, receive, send)
                return
        versioned = bool(asked)

        async def send_with_cache(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["cache-control"] = (
                    "public, max-age=31536000, immutable" if versioned else "public, max-age=300"
                )
            await send(message)

        await self.app(scope, receive, send_with_cache)


def other_version() -> PlainTextResponse:
    # A new one each time: the middleware around adds its headers to the response's own list.
    return PlainTextResponse(
        "This version of the file is not here: the app is being updated. Reload the page.",
        status_code=404,
        headers={"cache-control": "no-store"},
    )
