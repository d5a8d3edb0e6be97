"""``/healthz`` tells a load balancer whether this process can reach PostgreSQL."""

from __future__ import annotations

import asyncpg
import httpx

from tests.conftest import separate_app


async def test_healthz_ok(new_phone):
    response = await (await new_phone()).get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "up"


async def test_healthz_503_when_the_database_stops_answering(admin_url, tmp_path):
    admin = await asyncpg.connect(admin_url)
    try:
        async with (
            separate_app(admin_url, tmp_path) as (app, name),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://testserver"
            ) as client,
        ):
            assert (await client.get("/healthz")).status_code == 200
            # The database goes away: no new connections, existing ones cut.
            await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name
            )
            down = await client.get("/healthz")
            assert down.status_code == 503
            assert down.json()["database"] == "down"
            await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
            assert (await client.get("/healthz")).status_code == 200
    finally:
        await admin.close()
