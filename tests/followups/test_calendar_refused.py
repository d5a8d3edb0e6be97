"""The calendar file is made and sent as an export is, under the same limits: refused, it
says so in its own words, and an export refused says so in the export's."""

from __future__ import annotations

import asyncpg
from starlette.applications import Starlette

from server.export.downloads import SENDING_AT_ONCE
from server.web import limits
from tests.export.test_routes import account_of
from tests.phone import text_of


async def test_calendar_refused_while_one_is_made_names_the_calendar(new_phone, pool):
    dana = await new_phone()
    await dana.make_card(name="Dana Lee")
    dana_id = await account_of(pool, "Dana Lee")
    async with pool.acquire() as conn, conn.transaction():
        # As while one of hers is being made (export.lock_making).
        await conn.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended('export:' || $1::bigint, 0))", dana_id
        )
        calendar = await dana.get(dana.url("followups_calendar"))
        export = await dana.get(dana.url("export_csv"))
    assert calendar.status_code == 429
    said = text_of(calendar)
    assert "Your calendar file or an export is still being made. Try again in a moment." in said
    assert export.status_code == 429
    assert "Your other export is still being made. Try again in a moment." in text_of(export)
    # Refused, it counted nothing on its way: the next one comes.
    assert (await dana.get(dana.url("followups_calendar"))).status_code == 200


async def test_calendar_refused_while_three_are_on_their_way_names_the_calendar(
    app: Starlette, new_phone, pool: asyncpg.Pool
):
    dana = await new_phone()
    await dana.make_card(name="Dana Lee")
    dana_id = await account_of(pool, "Dana Lee")
    for _ in range(SENDING_AT_ONCE.most):
        await limits.take(pool, app.state.sql, (SENDING_AT_ONCE, dana_id))
    calendar = await dana.get(dana.url("followups_calendar"))
    assert calendar.status_code == 429
    assert "Three of your calendar files or exports are still on their way" in text_of(calendar)
    export = await dana.get(dana.url("export_csv"))
    assert export.status_code == 429
    assert "Three of your exports are still on their way" in text_of(export)
