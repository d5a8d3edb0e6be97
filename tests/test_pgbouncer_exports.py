"""Exports behind PgBouncer in transaction pooling mode, made by the app's own code
(``making.make`` with each export's pieces, on a pool made as a web process makes it behind
a pooler) in processes of their own: one after another, as each deploy replaces the last,
and two at once. Each export reads its contacts a batch at a time in one transaction; every
file comes whole. (asyncpg's cursors left a named statement, ``__asyncpg_stmt_1__``, on a
server connection, and the next process to make that name there failed: "prepared
statement ... already exists", a 500 for "Save all contacts" and "Download my data".)"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import sys
from pathlib import Path

import asyncpg
import pytest

from server.local_services.pgbouncer import PgBouncer, pgbouncer
from tests.conftest import PROJECT_ROOT
from tests.export.test_routes import many_contacts

# More than a batch of every export (vCard 100, CSV and JSON 500): each is several FETCHes.
CONTACTS = 600
PROCESS_SECONDS = 120
ROUNDS = 20
DEPLOYS = 4

# One process: the exports of the accounts given, each account's made ``rounds`` times, the
# accounts at once, with other queries between (as other requests make); each file written
# to the directory given, or what was raised. Then it stops, as a deploy stops it.
EXPORTING = """
import asyncio, sys
from pathlib import Path
from zoneinfo import ZoneInfo
from server.db.pool import create_pool
from server.db.queries import Queries
from server.export import csv_export, everything, making, vcards

UTC = ZoneInfo("UTC")
PIECES = {
    "vcf": lambda sql, a: lambda conn: vcards.cards(conn, sql, a, UTC),
    "csv": lambda sql, a: lambda conn: csv_export.rows(conn, sql, a, UTC),
    "json": lambda sql, a: lambda conn: everything.document(conn, sql, a, None),
}

async def main(url, out, rounds, accounts):
    pool = await create_pool(url, statement_cache=False)  # as server/app.py behind a pooler
    sql = Queries()
    out.mkdir(parents=True)

    async def exports(account):
        for round in range(rounds):
            for kind, pieces in PIECES.items():
                path = out / f"{account}-{round}.{kind}"
                try:
                    made = await making.make(pool, sql, account, pieces(sql, account), gzip=False)
                    path.write_bytes(made.read())
                    made.close()
                except Exception as error:
                    path.with_suffix(".error").write_text(f"{type(error).__name__}: {error}")
                await pool.fetchval("SELECT 1")

    await asyncio.gather(*(exports(account) for account in accounts))
    await pool.close()

asyncio.run(main(sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), map(int, sys.argv[4:])))
"""


@pytest.fixture
async def people(pool: asyncpg.Pool) -> list[int]:
    """Eight people who met ``CONTACTS`` others each."""
    accounts = await pool.fetch(
        "INSERT INTO accounts (time_zone) SELECT 'UTC' FROM generate_series(1, 8) RETURNING id"
    )
    for account in accounts:
        await many_contacts(pool, account["id"], CONTACTS)
    return [account["id"] for account in accounts]


async def exporting(
    bouncer: PgBouncer, out: Path, rounds: int, accounts: list[int]
) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        EXPORTING,
        bouncer.url,
        str(out),
        str(rounds),
        *map(str, accounts),
        cwd=PROJECT_ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )


async def finished(process: asyncio.subprocess.Process) -> None:
    said, _ = await asyncio.wait_for(process.communicate(), PROCESS_SECONDS)
    assert process.returncode == 0, said.decode(errors="replace")


def what_went_wrong(out: Path, expected: int) -> list[str]:
    """Each export that failed or came short, by what it said; and a count of the files
    short of ``expected``."""
    wrong = [f"{path.name}: {path.read_text()}" for path in sorted(out.rglob("*.error"))]
    made = [path for path in out.rglob("*") if path.suffix in (".vcf", ".csv", ".json")]
    for path in made:
        text = path.read_text(encoding="utf-8-sig")
        if path.suffix == ".vcf":
            count = text.count("BEGIN:VCARD")
        elif path.suffix == ".csv":
            count = len(list(csv.DictReader(io.StringIO(text, newline=""))))
        else:
            count = len(json.loads(text)["contacts"])
        if count != CONTACTS:
            wrong.append(f"{path.name}: {count} of {CONTACTS} contacts")
    if len(made) + len(wrong) < expected:
        wrong.append(f"{expected - len(made)} of {expected} exports missing")
    return wrong


async def test_exports_through_pgbouncer_from_one_process_after_another(
    database_url: str, people: list[int], tmp_path: Path
) -> None:
    async with pgbouncer(database_url, tmp_path / "pgbouncer") as bouncer:
        # Each deploy a new process, numbering its statements from the start again, on the
        # server connections the last one used; each makes four people's exports at once.
        for n in range(DEPLOYS):
            await finished(await exporting(bouncer, tmp_path / f"process-{n}", 2, people[:4]))
    assert what_went_wrong(tmp_path, DEPLOYS * 4 * 2 * 3) == []


async def test_exports_through_pgbouncer_from_two_processes_at_once(
    database_url: str, people: list[int], tmp_path: Path
) -> None:
    async with pgbouncer(database_url, tmp_path / "pgbouncer") as bouncer:
        # Four people's exports at once on each, twenty times over: as two web processes would.
        processes = [
            await exporting(bouncer, tmp_path / f"process-{n}", ROUNDS, people[4 * n : 4 * n + 4])
            for n in range(2)
        ]
        for process in processes:
            await finished(process)
    assert what_went_wrong(tmp_path, 2 * 4 * ROUNDS * 3) == []
