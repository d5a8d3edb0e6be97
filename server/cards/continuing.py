"""Where a new card goes on to: a page that needs one sends a browser with none to make it
first (``signed_in(redirect="card", then=...)``), saying why, and the saved card leads there
instead of to the QR code. Only the routes named here: ``then`` comes from a URL."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from server.web.urls import url_path

REASONS = {"event_new": "Make your card first; then you can create your event."}


def then(value: object) -> str | None:
    """The route to go on to, if ``value`` (a query or form field) names one we know."""
    return value if isinstance(value, str) and value in REASONS else None


def context(route: str | None) -> dict[str, Any]:
    """For the card form: the route (kept in the form) and why the card comes first."""
    return {"then": route, "then_reason": REASONS.get(route or "")}


def after_new_card(request: Request, route: str | None) -> str:
    return url_path(request, route or "share")
