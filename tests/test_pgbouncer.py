"""More than one machine: two web processes and two workers (real ``python -m server``
processes, as two machines would run them) on one database, every pooled query through
PgBouncer in transaction pooling mode, what needs a session (LISTEN, the migrations'
advisory lock) over ``DATABASE_DIRECT_URL``. A swap, a bump pair and a reminder come out as
they do on one machine, each once."""

from __future__ import annotations

import asyncio
import os
import secrets
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest
from starlette.applications import Starlette

from server.local_services.mail_sink import LocalMailSink
from server.local_services.pgbouncer import pgbouncer
from server.local_services.push_service import LocalPushService
from tests.browser.conftest import free_port, output_of, server_process, wait_until_healthy
from tests.conftest import TEST_SECRET, create_database, drop_database
from tests.limit_counts import hits
from tests.phone import Phone, soup, text_of
from tests.reminders import subscribe
from tests.tap.test_routes import bump

# Long enough for a process to start and a worker to poll; a failure says what it waited for.
OUTCOME_SECONDS = 30


class Machines:
    """The processes' logs, to fail with when one exits or an outcome does not come."""

    def __init__(self) -> None:
        self.processes: list[tuple[str, asyncio.subprocess.Process, Path]] = []

    def said(self) -> str:
        return "\n".join(f"--- {name}:\n{output_of(log)}" for name, _, log in self.processes)

    def check_alive(self) -> None:
        exited = [(name, p.returncode) for name, p, _ in self.processes if p.returncode is not None]
        if exited:
            pytest.fail(f"exited: {exited}\n{self.said()}")

    async def until(self, check: Callable[[], Awaitable[bool]], what: str) -> None:
        deadline = time.monotonic() + OUTCOME_SECONDS
        while not await check():
            self.check_alive()
            if time.monotonic() > deadline:
                pytest.fail(f"not within {OUTCOME_SECONDS} s: {what}\n{self.said()}")
            await asyncio.sleep(0.1)


async def test_a_swap_a_bump_pair_and_a_reminder_through_pgbouncer_with_two_of_each(
    admin_url: str,
    app: Starlette,
    push_service: LocalPushService,
    mail: LocalMailSink,
    tmp_path: Path,
) -> None:
    push_service.expected_public_key = None  # the processes make their own in their database
    push_service.received.clear()
    name = f"reachout_pooled_{secrets.token_hex(4)}"
    direct_url = await create_database(admin_url, name)
    machines = Machines()
    try:
        async with AsyncExitStack() as stack:
            bouncer = await stack.enter_async_context(pgbouncer(direct_url, tmp_path / "pgbouncer"))
            env = {
                **os.environ,
                "REACHOUT_ENV": "test",
                "DATABASE_URL": bouncer.url,
                "DATABASE_DIRECT_URL": direct_url,
                "SECRET_KEY": TEST_SECRET,
                # One public origin for both web processes, as behind a load balancer.
                "BASE_URL": "http://testserver",
                "REACHOUT_DATA_DIR": str(tmp_path / "data"),
                "PUSH_SERVICES": "127.0.0.1:*",
                "PUSH_CA_FILE": push_service.ca_file,
                "SMTP_URL": mail.url,
                "HOST": "127.0.0.1",
                "WEB_CONCURRENCY": "1",
                "LOG_LEVEL": "warning",
            }
            # All four at once: each migrates the new database at start, under the one lock.
            origins = []
            for process_name in ("web-a", "web-b", "worker-a", "worker-b"):
                command, port = process_name.split("-")[0], free_port()
                log = tmp_path / f"{process_name}.log"
                process = await stack.enter_async_context(
                    server_process(command, {**env, "PORT": str(port)}, log)
                )
                machines.processes.append((process_name, process, log))
                if command == "web":
                    origins.append((f"http://127.0.0.1:{port}", process, log))
            for origin, process, log in origins:
                await wait_until_healthy(process, origin, log)

            async def phone_on(origin: str) -> Phone:
                client = httpx.AsyncClient(base_url=origin, timeout=OUTCOME_SECONDS)
                stack.push_async_callback(client.aclose)
                return Phone(client, app)  # the app only names the routes

            (a, _, _), (b, _, _) = origins
            db = await asyncpg.connect(direct_url)
            stack.push_async_callback(db.close)

            # A swap: Dana shares her card on one machine, Mia swaps on the other.
            dana = await phone_on(a)
            await dana.make_card()
            link = urlsplit(await dana.share_link()).path
            mia = await phone_on(b)
            await mia.make_card(name="Mia Chen", email="mia@example.com")
            swapped = await mia.post(link + "/swap")
            assert swapped.status_code == 303, swapped.text
            assert soup(await mia.get(swapped.headers["location"])).h1.get_text(strip=True) == (
                "Dana Lee"
            )
            assert "Mia Chen" in text_of(await dana.get(dana.url("contacts")))
            # Her export reads through a cursor in one transaction: one server connection.
            exported = await dana.get(dana.url("export_csv"))
            assert exported.status_code == 200, exported.text
            assert '"Mia","Chen"' in exported.text

            # Someone with no app leaves her details on Dana's card: "You met" by email, once.
            visitor = await phone_on(b)
            left = await visitor.post(
                link + "/details", {"name": "Ana Ruiz", "email": "ana@example.com"}
            )
            assert left.status_code == 303, left.text

            # A bump pair across the two machines; the long poll on one wakes when the other
            # confirms there (NOTIFY through the pooler, LISTEN on the direct connection).
            sam = await phone_on(a)
            await sam.make_card(name="Sam Roe", email="sam@example.com")
            lou = await phone_on(b)
            await lou.make_card(name="Lou Park", email="lou@example.com")
            now = time.time() * 1000
            first, second = await asyncio.gather(bump(sam, now), bump(lou, now + 20))
            assert first.json()["state"] == second.json()["state"] == "paired", (
                first.text,
                second.text,
            )
            assert (first.json()["partner_name"], second.json()["partner_name"]) == (
                "Lou Park",
                "Sam Roe",
            )
            sam_bump, lou_bump = first.json()["bump_id"], second.json()["bump_id"]
            confirmed = await sam.post(sam.url("bump_confirm", bump_id=sam_bump), htmx=True)
            assert "Waiting for Lou Park to confirm" in text_of(confirmed)
            waiting = asyncio.create_task(
                sam.get(
                    sam.url("bump_status", bump_id=sam_bump) + "?seen=confirmed/paired/",
                    headers={"HX-Request": "true"},
                )
            )
            # Sam's page holds its place among the waits (limits.holding, in the database
            # both machines share), then waits: Lou's confirm is news to it.
            await machines.until(
                lambda: hits(db, bucket="account-bump-waits"), "Sam's page waiting"
            )
            done = await lou.post(lou.url("bump_confirm", bump_id=lou_bump), htmx=True)
            assert done.status_code == 204, done.text
            # The long poll holds 20 s: an answer well before, and the notification was heard.
            woken = await asyncio.wait_for(waiting, 10)
            assert woken.status_code == 204, woken.text
            sam_contact = await sam.get(woken.headers["HX-Redirect"])
            assert soup(sam_contact).h1.get_text(strip=True) == "Lou Park"

            # Reminders: Dana's phone gets them from one of two workers.
            device = await subscribe(dana, push_service)
            await db.execute("UPDATE followups SET due_at = now() - interval '1 minute'")

            async def reminded() -> bool:
                return len(push_service.received_for(device)) >= 2 and not await db.fetchval(
                    "SELECT count(*) FROM deliveries WHERE status <> 'sent'"
                )

            await machines.until(reminded, "Dana's reminders pushed and recorded")
            await machines.until(
                lambda: _true(bool(mail.received_for("ana@example.com"))), '"You met" mailed'
            )
            await asyncio.sleep(2)  # two more polls of each worker: nothing goes out twice
            machines.check_alive()
            # Mia swapped with Dana and Ana left her details: one reminder for each, once.
            assert sorted(r.json()["title"] for r in push_service.received_for(device)) == [
                "Follow up with Ana Ruiz",
                "Follow up with Mia Chen",
            ]
            [you_met] = mail.received_for("ana@example.com")
            assert you_met.subject == "You met Dana Lee"
            assert await db.fetchval("SELECT count(*) FROM deliveries") == 2
        said = machines.said()
        assert "Traceback" not in said and "prepared statement" not in said, said
    finally:
        await drop_database(admin_url, name)


async def _true(value: bool) -> bool:
    return value
