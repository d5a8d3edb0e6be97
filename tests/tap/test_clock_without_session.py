"""``/tap/clock`` answers the time without looking the session up: every phone with bump on
asks it five times a sync, and a short database outage must not leave bumps untimed."""

from __future__ import annotations

import time

import httpx

from tests.db_proxy import DatabaseProxy
from tests.phone import DEFAULT_CARD


async def test_the_clock_answers_a_signed_in_phone_while_the_database_is_away(admin_url, tmp_path):
    from server.app import create_app
    from server.config import load_settings
    from tests.conftest import TEST_SECRET, create_database, drop_database

    name = "reachout_clock_away"
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
                transport=httpx.ASGITransport(app=app), base_url="http://testserver"
            ) as phone,
        ):
            assert (await phone.post("/card", data=DEFAULT_CARD)).status_code == 303
            await proxy.cut()
            assert (await phone.get("/card")).status_code == 503, "the session can't be read"
            before = time.time() * 1000
            clock = await phone.get("/tap/clock", params={"sample": "1"})
            assert clock.status_code == 200
            assert before - 1000 <= clock.json()["now"] <= time.time() * 1000 + 1000
            assert clock.headers["cache-control"] == "no-store"
            assert "set-cookie" not in clock.headers
            await proxy.restore()
    finally:
        await proxy.close()
        await drop_database(admin_url, name)
