"""Security and caching headers added to every response."""

from __future__ import annotations

import base64
import hashlib

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


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
    """Static files, cached for a year when the URL carries a content version."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        versioned = b"v=" in scope.get("query_string", b"")

        async def send_with_cache(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["cache-control"] = (
                    "public, max-age=31536000, immutable" if versioned else "public, max-age=300"
                )
            await send(message)

        await self.app(scope, receive, send_with_cache)
