"""The client's address as PostgreSQL's inet takes it, or None."""

from __future__ import annotations

from starlette.requests import Request

from server.web.client import client_ip


def request_from(client: tuple[str, int] | None) -> Request:
    return Request({"type": "http", "method": "GET", "path": "/", "headers": [], "client": client})


def test_addresses_are_normalised_and_anything_else_is_none():
    assert client_ip(request_from(("203.0.113.7", 5000))) == "203.0.113.7"
    assert client_ip(request_from(("2001:DB8:0:0::1", 5000))) == "2001:db8::1"
    assert client_ip(request_from(("testclient", 5000))) is None
    assert client_ip(request_from(None)) is None
