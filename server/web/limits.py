"""Request body limits: an oversized body is refused with 413 before it is stored anywhere."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.web.errors import error_response


class BodySizeLimitMiddleware:
    """Caps request bodies; ``larger`` names path prefixes that may send more (photo uploads)."""

    def __init__(self, app: ASGIApp, *, default: int, larger: dict[str, int]) -> None:
        self.app = app
        self.default = default
        self.larger = larger

    def _limit(self, path: str) -> int:
        for prefix, limit in self.larger.items():
            if path.startswith(prefix):
                return limit
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope["path"])
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        too_large_declared = declared is not None and (
            # More digits than any limit has is too large, before int() meets 5,000 of them.
            not declared.isdigit() or len(declared) > 12 or int(declared) > limit
        )
        if too_large_declared:
            # Refused before any handler runs, including those that never read their body.
            await error_response(Request(scope, receive), 413)(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Raised inside the endpoint's await, so the app's 413 handler renders it.
                    raise HTTPException(413)
            return message

        await self.app(scope, limited_receive, send)
