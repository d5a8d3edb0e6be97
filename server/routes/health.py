"""``/healthz``: 200 when PostgreSQL answers, 503 when it does not."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse


async def healthz(request: Request) -> JSONResponse:
    try:
        async with asyncio.timeout(2):
            await request.app.state.pool.fetchval("SELECT 1")
    except Exception:
        return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "up"})
