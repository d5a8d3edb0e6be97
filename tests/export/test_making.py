"""Making an export: one at a time per account, across web processes (an advisory lock in
PostgreSQL, not in a process), the second refused in words while another person's goes on;
and the database gone while a file is made gives the "Back in a moment" page, never a
broken file."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
from collections.abc import AsyncIterator

import asyncpg
import vobject

from tests.export.conftest import MadeFiles
from tests.export.test_routes import (
    ZOE,
    account_of,
    assert_whole,
    download,
    make_world,
    many_contacts,
)
from tests.phone import in_another_web_process, text_of
from tests.waiting import until_waiting_for_lock

REFUSED = "Your other export is still being made. Try again in a moment."


@contextlib.asynccontextmanager
async def slow_to_make(pool: asyncpg.Pool, table: str) -> AsyncIterator[None]:
    """While this holds ``table``, an export that reads it waits, as one making a large file
    would: it has begun (its transaction, its lock) and is not done."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        yield


async def waiting_exports(pool: asyncpg.Pool, count: int) -> list[int]:
    """The server processes of ``count`` exports waiting on ``slow_to_make``'s table."""
    return await until_waiting_for_lock(pool, f"{count} export(s) being made", count=count)


async def test_a_second_export_while_one_is_being_made_is_refused_in_words(
    new_phone, pool, settings, made_files: MadeFiles
):
    world = await make_world(new_phone, pool)
    expected = (await download(world.me, "export_vcards")).content
    async with (
        in_another_web_process(settings, world.me) as other_tab,
        slow_to_make(pool, "photos"),
    ):
        first = asyncio.create_task(world.me.get(world.me.url("export_vcards")))
        await waiting_exports(pool, 1)
        # Another person's export is no business of Mia's: it goes on (and waits, as hers
        # does, on the table), not refused.
        theirs = asyncio.create_task(world.eve.get(world.eve.url("export_csv")))
        await waiting_exports(pool, 2)
        # Mia again, in another tab, which another web process answers.
        again = await asyncio.wait_for(other_tab.get(other_tab.url("export_csv")), 10)

    assert again.status_code == 429
    assert again.headers["retry-after"] == "5"
    assert again.headers["content-type"].startswith("text/html")
    assert "content-disposition" not in again.headers
    assert REFUSED in text_of(again)

    # The first is whole and as it would have been alone.
    made = await asyncio.wait_for(first, 10)
    assert made.status_code == 200
    assert_whole(made)
    assert made.content == expected
    cards = {card.fn.value for card in vobject.readComponents(made.text)}
    assert cards == {"Dana Lee", ZOE["name"]}
    eves = await asyncio.wait_for(theirs, 10)
    assert eves.status_code == 200
    assert_whole(eves)
    [dana] = csv.DictReader(io.StringIO(eves.content.decode("utf-8-sig"), newline=""))
    assert dana["First Name"] == "Dana"

    # Once it is made (not sent: the lock is for the making), the next one goes.
    assert (await download(world.me, "export_csv")).status_code == 200
    assert made_files.all_closed()


async def test_the_database_gone_while_an_export_is_made_is_a_page_not_a_broken_file(
    new_phone, pool, made_files: MadeFiles
):
    me = await new_phone()
    await me.make_card(name="Mia Chen")
    # More than a chunk of contacts, read before the passkeys that come last.
    await many_contacts(pool, await account_of(pool, "Mia Chen"))
    async with slow_to_make(pool, "passkeys"):
        # As it is, not gzipped: what was made before the database went is plainly on disk.
        asked = asyncio.create_task(
            me.get(me.url("export_everything"), headers={"accept-encoding": "identity"})
        )
        [making] = await waiting_exports(pool, 1)
        await pool.execute("SELECT pg_terminate_backend($1)", making)
    response = await asyncio.wait_for(asked, 10)

    assert response.status_code == 503
    assert response.headers["content-type"].startswith("text/html")
    assert "content-disposition" not in response.headers
    assert "We can't reach our database right now" in text_of(response)
    assert made_files.on_disk and made_files.all_closed()
    # And the next one, with the database back, is whole.
    assert (await download(me, "export_everything")).status_code == 200
