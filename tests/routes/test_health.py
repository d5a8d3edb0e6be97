"""``/healthz`` tells a load balancer whether this process can reach PostgreSQL."""

from __future__ import annotations

import secrets

import asyncpg
import httpx

from server.app import create_app
from server.settings import load_settings
from tests.conftest import TEST_SECRET, create_database, drop_database


async def test_healthz_ok(new_phone):
    response = await (await new_phone()).get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "up"


async def test_healthz_503_when_the_database_stops_answering(admin_url, tmp_path):
    name = f"reachout_health_{secrets.token_hex(4)}"
    url = await create_database(admin_url, name)
    settings = load_settings(
        {
            "REACHOUT_ENV": "test",
            "DATABASE_URL": url,
            "SECRET_KEY": TEST_SECRET,
            "REACHOUT_DATA_DIR": str(tmp_path),
        }
    )
    app = create_app(settings)
    admin = await asyncpg.connect(admin_url)
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://testserver"
            ) as client,
        ):
            assert (await client.get("/healthz")).status_code == 200
            # The database goes away: no new connections, existing ones cut.
            await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
                name,
            )
            down = await client.get("/healthz")
            assert down.status_code == 503
            assert down.json()["database"] == "down"
            await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
            assert (await client.get("/healthz")).status_code == 200
    finally:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await admin.close()
        await drop_database(admin_url, name)
