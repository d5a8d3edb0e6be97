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


async def test_pages_say_back_in_a_moment_while_the_database_is_unreachable(admin_url, tmp_path):
    from server.app import create_app
    from server.config import load_settings
    from tests.conftest import TEST_SECRET, create_database, drop_database
    from tests.db_proxy import DatabaseProxy
    from tests.phone import DEFAULT_CARD, text_of

    name = "reachout_away"
    proxy = DatabaseProxy(await create_database(admin_url, name))
    await proxy.start()
    settings = load_settings(
        {
            "REACHOUT_ENV": "test",
            "DATABASE_URL": proxy.url,
            "SECRET_KEY": TEST_SECRET,
            "REACHOUT_DATA_DIR": str(tmp_path),
        }
    )
    app = create_app(settings)
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(
                    app=app
                ),  # a re-raised error (a traceback in the log) fails
                base_url="http://testserver",
            ) as phone,
        ):
            made = await phone.post("/card", data=DEFAULT_CARD)
            assert made.status_code == 303
            await proxy.cut()
            assert (await phone.get("/healthz")).status_code == 503
            for path in ("/contacts", "/card"):
                page = await phone.get(path)
                assert page.status_code == 503, path
                assert page.headers["retry-after"] == "5"
                assert "try again in a moment" in text_of(page)
                assert "Traceback" not in page.text
            await proxy.restore()
            assert (await phone.get("/healthz")).status_code == 200
            card = await phone.get("/card")
            assert card.status_code == 200 and DEFAULT_CARD["name"] in text_of(card)
    finally:
        await proxy.close()
        await drop_database(admin_url, name)


async def test_the_app_rides_out_a_postgresql_stop_and_start_without_a_restart(tmp_path):
    """PostgreSQL itself stops (fast shutdown: every connection cut) and starts again."""
    from server.app import create_app
    from server.config import load_settings
    from tests.conftest import TEST_SECRET
    from tests.own_postgres import own_postgres
    from tests.phone import DEFAULT_CARD, text_of

    async with own_postgres() as pg:
        settings = load_settings(
            {
                "REACHOUT_ENV": "test",
                "DATABASE_URL": pg.url,
                "SECRET_KEY": TEST_SECRET,
                "REACHOUT_DATA_DIR": str(tmp_path),
            }
        )
        app = create_app(settings)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(
                    app=app
                ),  # a re-raised error (a traceback in the log) fails
                base_url="http://testserver",
            ) as phone,
        ):
            assert (await phone.post("/card", data=DEFAULT_CARD)).status_code == 303
            await pg.stop()
            down = await phone.get("/healthz")
            assert down.status_code == 503 and down.json()["database"] == "down"
            page = await phone.get("/card")
            assert page.status_code == 503
            assert "try again in a moment" in text_of(page)
            await pg.start()
            assert (await phone.get("/healthz")).status_code == 200
            card = await phone.get("/card")
            assert card.status_code == 200 and DEFAULT_CARD["name"] in text_of(card)
            await pg.restart()  # and once more, without a pause: pg_ctl restart
            assert (await phone.get("/healthz")).status_code == 200
            assert (await phone.get("/contacts")).status_code == 200
