"""Who is asking: the client's IP address, in the form PostgreSQL's ``inet`` takes."""

from __future__ import annotations

import ipaddress

from starlette.requests import HTTPConnection


def client_ip(request: HTTPConnection) -> str | None:
    host = request.client.host if request.client else None
    try:
        return str(ipaddress.ip_address(host)) if host else None
    except ValueError:
        return None
