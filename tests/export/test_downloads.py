"""Downloads on slow phones: each export is made whole and its database connection given
back before the first byte goes, so as many slow downloads as the pool has connections
leave every other page answering, and no snapshot is held open while they crawl."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette

from tests.export.conftest import MadeFiles
from tests.export.test_routes import account_of, many_contacts
from tests.phone import Phone, text_of

# A download's contacts: a vCard file of them is several chunks.
CONTACTS = 300


@dataclass
class Received:
    """What a phone has received of an answer so far."""

    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytearray = field(default_factory=bytearray)
    first_chunk: asyncio.Event = field(default_factory=asyncio.Event)


async def get_slowly(
    app: Starlette,
    phone: Phone,
    path: str,
    got: Received,
    going_on: asyncio.Event,
    hung_up: asyncio.Event | None = None,
) -> None:
    """GET ``path`` as ``phone`` on a slow network: after the first chunk it takes nothing
    more until ``going_on`` is set, or the phone hangs up (``hung_up`` set). The app's send
    waits meanwhile, as uvicorn's does while the socket's buffer is full; uvicorn's own ASGI
    version, so Starlette also listens for the phone hanging up, as it does in production."""
    scope = phone.asgi_scope("GET", path, asgi={"version": "3.0", "spec_version": "2.3"})
    asked = False
    hung_up = hung_up or asyncio.Event()  # not given: this phone stays on the line

    async def receive() -> dict[str, Any]:
        nonlocal asked
        if not asked:
            asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await hung_up.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            got.status = message["status"]
            got.headers = {k.decode(): v.decode() for k, v in message["headers"]}
        elif message["type"] == "http.response.body":
            got.body += message.get("body", b"")
            if not got.first_chunk.is_set():
                got.first_chunk.set()
                await going_on.wait()

    await app(scope, receive, send)


async def test_other_pages_answer_while_as_many_phones_as_the_pool_has_connections_download_slowly(
    app, new_phone, pool, made_files: MadeFiles
):
    someone = await new_phone()
    await someone.make_card(name="Someone Else")
    phones = []
    for n in range(pool.get_max_size()):
        phone = await new_phone()
        await phone.make_card(name=f"Slow Phone {n}")
        await many_contacts(pool, await account_of(pool, f"Slow Phone {n}"), CONTACTS)
        phones.append(phone)

    going_on = asyncio.Event()
    received = [Received() for _ in phones]
    downloads = [
        asyncio.create_task(get_slowly(app, phone, phone.url("export_vcards"), got, going_on))
        for phone, got in zip(phones, received, strict=True)
    ]
    try:
        for got in received:
            await asyncio.wait_for(got.first_chunk.wait(), 10)
        # Every phone has its first chunk and takes no more: someone else opens a page.
        page = await asyncio.wait_for(someone.get(someone.url("settings")), 10)
        assert page.status_code == 200
        # The lock is on the making: a file of hers on its way, she may ask for another.
        another = await asyncio.wait_for(phones[0].get(phones[0].url("export_csv")), 10)
        assert another.status_code == 200
        # No snapshot kept open (holding back vacuum) by a file on its way.
        assert not await pool.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND backend_type = 'client backend' AND xact_start IS NOT NULL"
            " AND pid <> pg_backend_pid()"
        )
    finally:
        going_on.set()
        await asyncio.gather(*downloads)

    for phone, got in zip(phones, received, strict=True):
        assert got.status == 200
        assert int(got.headers["content-length"]) == len(got.body)
        assert bytes(got.body) == (await phone.get(phone.url("export_vcards"))).content
        assert bytes(got.body).count(b"BEGIN:VCARD") == CONTACTS
    assert len(made_files.on_disk) >= len(phones) and made_files.all_closed()


async def test_a_fourth_export_on_its_way_at_once_is_refused_until_one_has_finished_or_stopped(
    app, new_phone, pool, made_files: MadeFiles
):
    phone = await new_phone()
    await phone.make_card(name="Dana Lee")
    await many_contacts(pool, await account_of(pool, "Dana Lee"), CONTACTS)
    someone = await new_phone()
    await someone.make_card(name="Someone Else")
    going_on = [asyncio.Event() for _ in range(5)]
    hung_up = [asyncio.Event() for _ in range(5)]
    received = [Received() for _ in range(5)]

    def slowly(n: int, page: str) -> asyncio.Task[None]:
        url = phone.url(page)
        return asyncio.create_task(
            get_slowly(app, phone, url, received[n], going_on[n], hung_up[n])
        )

    downloads: list[asyncio.Task[None]] = []

    async def start(n: int, page: str) -> None:
        # One after another: one of hers is made at a time (making.MAKING_ONE_ALREADY).
        downloads.append(slowly(n, page))
        await asyncio.wait_for(received[n].first_chunk.wait(), 10)
        assert received[n].status == 200

    try:
        for n, page in enumerate(["export_vcards", "export_csv", "export_everything"]):
            await start(n, page)
        # Three of hers on their way, each a file until her phone has it: no fourth.
        refused = await phone.get(phone.url("export_csv"))
        assert refused.status_code == 429
        assert "Three of your exports are still on their way" in text_of(refused)
        # Someone else's exports are theirs alone.
        assert (await someone.get(someone.url("export_csv"))).status_code == 200

        # One arrives whole, another is given up half-way: two may go again.
        going_on[1].set()
        await downloads[1]
        hung_up[0].set()
        await downloads[0]
        await start(3, "export_csv")
        await start(4, "export_vcards")
        assert (await phone.get(phone.url("export_csv"))).status_code == 429
    finally:
        for event in going_on:
            event.set()
        await asyncio.gather(*downloads)
    assert int(received[1].headers["content-length"]) == len(received[1].body)
    # All arrived: none is on its way any more.
    assert (await phone.get(phone.url("export_csv"))).status_code == 200
    assert made_files.all_closed()
