"""Who is asking: the client's IP address, parsed, or in the form PostgreSQL's ``inet`` takes."""

from __future__ import annotations

import ipaddress

from starlette.requests import HTTPConnection


def client_address(request: HTTPConnection) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The client's address; None when there is none or it is not an IP address."""
    host = request.client.host if request.client else None
    if not host:
        return None
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def client_ip(request: HTTPConnection) -> str | None:
    address = client_address(request)
    return None if address is None else str(address)
