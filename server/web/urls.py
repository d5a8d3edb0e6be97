"""URLs built from the one route table, by route name: for handlers, templates and the worker."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request


def url_path(request: Request, name: str, /, **params: Any) -> str:
    """The path of the named route, as a string (no host: right behind any proxy)."""
    return str(request.app.url_path_for(name, **params))
