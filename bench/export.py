"""Export: one person with 10,000 contacts downloads each export (vCard, CSV, JSON) from the
real web server: seconds, and the web process's CPU and peak memory.

What it seeds (with SQL on a fresh database, schema from server.db.apply_migrations):
one person (Europe/Berlin) with a card, a photo and a signed-in session, and N people
(``-n``, 10,000) with full cards, every field filled in, names and notes with accents, a
photo each (``--photos``: the share of them with one; a 320x320 JPEG made by
``server.cards.photos.process``, as an upload would be); N contacts of the person, each
with a note (some on several lines), what was promised and asked, an open follow-up, half
of them met at an event. Then VACUUM (ANALYZE).

What it times: ``python -m server web`` (one process, started by bench/_server.py) and, for
each export in turn, one ``GET`` with the person's session cookie, as a phone's browser asks
(``Accept-Encoding: gzip``: the CSV and JSON come gzipped, the vCard file as it is),
streamed to a file; the clock runs from the request until the last byte. Printed for each:
seconds, megabytes on the wire and as a file, the CPU seconds of the web process,
PostgreSQL, this client and the rest of the machine, and the web process's memory:
resident before the request (``VmRSS``) and the high-water mark during it (``VmHWM``, reset
before each request by writing 5 to ``/proc/<pid>/clear_refs``; where that is refused, each
export gets a server of its own).

Checked afterwards: the vCard file holds N cards (the first and last ``--parse`` parsed
with vobject, each with its note, and a photo where the seed gave one); the CSV starts with
the byte order mark and the header, and has N rows with the seeded names; the JSON parses
and has N contacts with their notes.

Aims (reported, not enforced): each export under 5 s, the web process under 100 MB.
It exits 1 when a check fails.

Run it::

    make bench
    .venv/bin/python bench/export.py                 # about a minute
    .venv/bin/python bench/export.py -n 50000 --photos 0.2
    .venv/bin/python bench/export.py --exports vCard --photos 0   # cards without photos
    .venv/bin/python bench/export.py --encoding identity          # a client without gzip
    .venv/bin/python bench/export.py --smoke         # seconds: that it still works
"""

from __future__ import annotations

import argparse
import asyncio
import codecs
import csv
import io
import json
import os
import platform
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from _cpu import CpuMeter
from _seed import insert_accounts, insert_event, insert_sessions
from _server import WebServer, bench_database, web_server
from PIL import Image, ImageFilter

from server.cards import photos
from server.db.migrations import apply_migrations
from server.db.pool import create_pool
from server.export import csv_export

AIM_SECONDS = 5.0
AIM_MEGABYTES = 100.0
EXPORTS = [
    # (name, path, what the file is)
    ("vCard", "/export/contacts.vcf", "vcf"),
    ("CSV", "/export/contacts.csv", "csv"),
    ("JSON", "/export/everything.json", "json"),
]
FIRST = ["Zoë", "Dana", "Łukasz", "Mia", "José", "Ana", "Søren", "Chen", "Aisha", "Ben"]
LAST = ["Ångström", "Lee", "Nowak", "Müller", "García", "Silva", "Ødegaard", "Wang", "Khan"]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def sample_photo(seed: int) -> bytes:
    """A photo as an upload leaves it: a 320x320 JPEG with a photo's detail (about 18 KB),
    a different one for each ``seed``."""
    bands = [
        Image.effect_noise((640, 640), sigma + seed % 7).filter(ImageFilter.GaussianBlur(blur))
        for sigma, blur in ((60, 1), (40, 2), (80, 1.5))
    ]
    out = io.BytesIO()
    Image.merge("RGB", bands).save(out, "JPEG", quality=95)
    return photos.process(out.getvalue())


# -- seeding ----------------------------------------------------------------------------

PEOPLE_CARDS = """
INSERT INTO cards (account_id, name, headline, company, email, phone, linkedin, website,
                   other_link, looking_for, can_help_with, photo_key)
SELECT id,
       ($2::text[])[1 + id % cardinality($2::text[])] || ' '
           || ($3::text[])[1 + (id / 10) % cardinality($3::text[])] || '-' || id,
       'Head of growth, fashion and apparel — marketplaces', 'Threadline & Söhne GmbH',
       'person' || id || '@threadline.example', '+4915' || lpad(id::text, 9, '0'),
       'https://www.linkedin.com/in/person' || id, 'https://person' || id || '.example',
       'https://github.com/person' || id,
       'Intros to recruiters in fashion; a mentor for pricing',
       'Online marketing, SEO, paid social; people at three fashion brands',
       CASE WHEN id % 1000 < $4 THEN 'photo-' || id END
FROM unnest($1::bigint[]) id
"""

# Photos taken in turn from a few dozen different ones: gzip's window (32 KiB) holds less
# than two, so a file of them compresses as one of 10,000 different photos would.
PHOTOS = """
INSERT INTO photos (key, account_id, jpeg)
SELECT 'photo-' || id, id, ($2::bytea[])[1 + id % cardinality($2::bytea[])]
FROM unnest($1::bigint[]) id WHERE id % 1000 < $3
"""
DIFFERENT_PHOTOS = 40

CONTACTS = """
INSERT INTO contacts (owner_id, contact_id, met_at, note, note_updated_at, promised,
                      they_asked, event_id)
SELECT $1, id, $3::timestamptz - id * interval '7 minutes',
       CASE WHEN id % 3 = 0
            THEN 'Talked about pricing; knows two recruiters at Zalando.' || E'\\n'
                 || 'Follow up after the 10th — she is travelling.'
            ELSE 'Met at the coffee stand, ' || id || '.' END,
       $3::timestamptz - id * interval '6 minutes',
       'an intro to two fashion recruiters', 'a look at my portfolio, and prices',
       CASE WHEN id % 2 = 0 THEN $4::bigint END
FROM unnest($2::bigint[]) id
"""

FOLLOWUPS = """
INSERT INTO followups (contact_id, owner_id, due_at)
SELECT id, owner_id, met_at + interval '1 day' FROM contacts WHERE owner_id = $1
"""


@dataclass(frozen=True)
class Seeded:
    person_id: int
    cookie: str
    names: frozenset[str]
    with_photos: int


async def seed(pool: Any, n: int, photo_share: float) -> Seeded:
    per_mille = round(photo_share * 1000)
    jpegs = [sample_photo(seed) for seed in range(min(DIFFERENT_PHOTOS, n))]
    async with pool.acquire() as conn, conn.transaction():
        [person_id, *people] = await insert_accounts(conn, n + 1, ["Europe/Berlin"])
        await conn.execute(
            "INSERT INTO photos (key, account_id, jpeg) VALUES ('me', $1, $2)", person_id, jpegs[0]
        )
        await conn.execute(
            "INSERT INTO cards (account_id, name, headline, email, photo_key)"
            " VALUES ($1, 'Mia Chen', 'Growth marketer', 'mia@example.com', 'me')",
            person_id,
        )
        await conn.execute(PHOTOS, people, jpegs, per_mille)
        await conn.execute(PEOPLE_CARDS, people, FIRST, LAST, per_mille)
        now = datetime.now(UTC)
        event_id = await insert_event(
            conn,
            organizer_id=person_id,
            name="Fashion Tech Summit",
            venue="Pier 27",
            starts_at=now - timedelta(days=30),
            ends_at=now - timedelta(days=30) + timedelta(hours=8),
            join_code="BENCH3",
        )
        await conn.execute(CONTACTS, person_id, people, now, event_id)
        await conn.execute(FOLLOWUPS, person_id)
        [cookie] = await insert_sessions(conn, [person_id])
        names = frozenset(
            r["name"]
            for r in await conn.fetch(
                "SELECT name FROM cards WHERE account_id = ANY($1::bigint[])", people
            )
        )
        with_photos = await conn.fetchval("SELECT count(*) FROM photos") - 1
    await pool.execute("VACUUM (ANALYZE)")
    return Seeded(person_id, cookie, names, int(with_photos))


# -- timing -----------------------------------------------------------------------------


def _status(pid: int) -> dict[str, int]:
    """The kB figures of /proc/<pid>/status (VmRSS, VmHWM, ...)."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if value.strip().endswith(" kB"):
            found[name] = int(value.split()[0])
    return found


def reset_peak(pid: int) -> bool:
    """Start the process's high-water mark again from now (Linux 4.0+: clear_refs 5)."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


@dataclass
class Run:
    name: str
    seconds: float
    first_byte: float
    wire_bytes: int
    file_bytes: int
    cpu_seconds: float  # the web process's
    db_cpu_seconds: float
    client_cpu_seconds: float  # this process, reading and writing the file
    other_cpu_seconds: float  # anything else on the machine meanwhile
    rss_before_mb: float
    peak_mb: float
    status: int
    path: Path


async def download(
    server: WebServer,
    db_pid: int | None,
    cookie: str,
    name: str,
    path: str,
    out: Path,
    encoding: str,
) -> Run:
    pid = server.pid
    meter = CpuMeter(pid, db_pid)  # "service": the web process
    await asyncio.sleep(0.2)  # the last request's leftovers settle
    reset_peak(pid)
    before = _status(pid)
    start = meter.mark()
    wire = size = 0
    async with httpx.AsyncClient(base_url=server.base_url, timeout=120) as client:
        started = time.perf_counter()
        first_byte = 0.0
        async with client.stream(
            "GET",
            path,
            headers={"Cookie": f"ro_session={cookie}", "Accept-Encoding": encoding},
        ) as response:
            with out.open("wb") as file:
                async for chunk in response.aiter_bytes():
                    if not first_byte:
                        first_byte = time.perf_counter() - started
                    size += len(chunk)
                    file.write(chunk)
            wire = response.num_bytes_downloaded
        seconds = time.perf_counter() - started
    end = meter.mark()
    after = _status(pid)
    cpu = {
        part: share * (end[0] - start[0]) / 100 for part, share in meter.between(start, end).items()
    }
    return Run(
        name,
        seconds,
        first_byte,
        wire,
        size,
        cpu["service"],
        cpu["db"],
        cpu["bench"],
        cpu["other"],
        before["VmRSS"] / 1024,
        after["VmHWM"] / 1024,
        response.status_code,
        out,
    )


# -- checks -----------------------------------------------------------------------------


def check_vcf(path: Path, seeded: Seeded, n: int, parse: int) -> list[str]:
    import vobject  # type: ignore[import-untyped]

    text = path.read_bytes().decode()
    problems = []
    cards = text.split("BEGIN:VCARD\r\n")[1:]
    if len(cards) != n or text.count("END:VCARD\r\n") != n:
        problems.append(f"vCard: {len(cards)} cards for {n} contacts")
    photos_seen = text.count("PHOTO;ENCODING=b;TYPE=JPEG:")
    if photos_seen != seeded.with_photos:
        problems.append(f"vCard: {photos_seen} photos for {seeded.with_photos} seeded")
    for raw in cards[:parse] + cards[-parse:]:
        card = vobject.readOne("BEGIN:VCARD\r\n" + raw)
        if card.fn.value not in seeded.names or not card.note.value.startswith("Met "):
            problems.append(f"vCard: {card.fn.value!r} unexpected, or without its note")
            break
    return problems


def check_csv(path: Path, seeded: Seeded, n: int) -> list[str]:
    data = path.read_bytes()
    if not data.startswith(codecs.BOM_UTF8):
        return ["CSV: no byte order mark"]
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    if tuple(reader.fieldnames or ()) != csv_export.HEADER:
        return [f"CSV: header {reader.fieldnames}"]
    rows = list(reader)
    names = {f"{r['First Name']} {r['Last Name']}" for r in rows}
    problems = []
    if len(rows) != n or names != seeded.names:
        problems.append(f"CSV: {len(rows)} rows, {len(names & seeded.names)} of {n} names")
    if any(not r["Notes"].startswith("Met ") for r in rows):
        problems.append("CSV: a row without its note")
    return problems


def check_json(path: Path, seeded: Seeded, n: int) -> list[str]:
    data = json.loads(path.read_bytes())
    contacts = data["contacts"]
    names = {c["card"]["name"] for c in contacts}
    if len(contacts) != n or names != seeded.names:
        return [f"JSON: {len(contacts)} contacts, {len(names & seeded.names)} of {n} names"]
    if data["card"]["name"] != "Mia Chen" or any(not c["note"] for c in contacts):
        return ["JSON: my card or a note is missing"]
    return []


# -- report -----------------------------------------------------------------------------


def table(runs: list[Run]) -> str:
    header = (
        f"{'export':<7} {'seconds':>7} {'1st byte':>8} {'MB wire':>8} {'MB file':>8}"
        f" {'cpu s: web':>10} {'db':>5} {'client':>6} {'other':>6}"
        f" {'rss before MB':>13} {'peak MB':>8}"
        f"  aim (< {AIM_SECONDS:g} s, < {AIM_MEGABYTES:g} MB)"
    )
    rows = [header, "-" * len(header)]
    for r in runs:
        met = r.seconds < AIM_SECONDS and r.peak_mb < AIM_MEGABYTES
        rows.append(
            f"{r.name:<7} {r.seconds:>7.2f} {r.first_byte:>8.3f} {r.wire_bytes / 1e6:>8.1f}"
            f" {r.file_bytes / 1e6:>8.1f} {r.cpu_seconds:>10.2f} {r.db_cpu_seconds:>5.2f}"
            f" {r.client_cpu_seconds:>6.2f} {r.other_cpu_seconds:>6.2f} {r.rss_before_mb:>13.1f}"
            f" {r.peak_mb:>8.1f}  {'MET' if met else 'NOT MET'}"
        )
    return "\n".join(rows)


async def main(args: argparse.Namespace) -> int:
    runs: list[Run] = []
    problems: list[str] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="reachout-bench-export-") as tmpdir:
        tmp = Path(tmpdir)
        async with bench_database(tmp / "pg") as database:
            pool = await create_pool(database.url, max_size=2, application_name="bench-export")
            try:
                async with pool.acquire() as conn:
                    await apply_migrations(conn)
                log(f"seeding one person with {args.n} contacts")
                seeded = await seed(pool, args.n, args.photos)
            finally:
                await pool.close()
            log(f"seeded ({seeded.with_photos} with a photo); starting the web server")
            # One server for all three, its high-water mark reset before each; where that is
            # refused, a fresh server for each.
            one_server = reset_peak(os.getpid())
            chosen = [export for export in EXPORTS if export[0] in args.exports]
            for batch in [chosen] if one_server else [[export] for export in chosen]:
                async with web_server(database.url, tmp) as server:
                    for name, path, extension in batch:
                        run = await download(
                            server,
                            database.postmaster_pid,
                            seeded.cookie,
                            name,
                            path,
                            tmp / f"export.{extension}",
                            args.encoding,
                        )
                        runs.append(run)
                        log(f"  {name}: {run.seconds:.2f} s, peak {run.peak_mb:.0f} MB")
            for run in runs:
                if run.status != 200:
                    problems.append(f"{run.name}: answered {run.status}")
                    continue
                if run.name == "vCard":
                    problems += check_vcf(run.path, seeded, args.n, args.parse)
                elif run.name == "CSV":
                    problems += check_csv(run.path, seeded, args.n)
                else:
                    problems += check_json(run.path, seeded, args.n)

    print()
    print(
        f"Reachout export benchmark: one person with {args.n} contacts downloads each export"
        " from the real web server (one process), streamed to a file"
    )
    print(
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, uvloop;"
        f" server, PostgreSQL and client on this machine; {seeded.with_photos} of the"
        " contacts with a photo;"
        f" Accept-Encoding: {args.encoding}"
    )
    print(
        "seconds: request to last byte; cpu s: CPU time of the web process, PostgreSQL, this"
        " client, and anything else on the machine meanwhile (high: the seconds are not"
        " reliable); peak MB: the web process's resident high-water mark (VmHWM) during"
        " the download, rss before: its resident memory just before"
    )
    print(table(runs))
    print(f"total run time {time.perf_counter() - started:.0f} s")
    for problem in problems:
        print(f"CHECK FAILED: {problem}")
    if not problems:
        said = {
            "vCard": f"{args.n} cards in the vCard file (parsed at both ends, photos where seeded)",
            "CSV": f"{args.n} rows under the header after the BOM, with their notes",
            "JSON": f"{args.n} contacts in the JSON, with their notes",
        }
        print("checks: " + "; ".join(said[run.name] for run in runs))
    return 1 if problems else 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=10_000, help="contacts of the one person")
    parser.add_argument(
        "--photos", type=float, default=1.0, help="share of the contacts with a photo (0-1)"
    )
    parser.add_argument(
        "--parse", type=int, default=200, help="vCards parsed with vobject at each end"
    )
    parser.add_argument(
        "--exports",
        nargs="+",
        choices=[name for name, _, _ in EXPORTS],
        default=["vCard", "CSV", "JSON"],
    )
    parser.add_argument(
        "--encoding",
        default="gzip",
        help="the Accept-Encoding sent (a phone's browser: gzip; identity: none)",
    )
    parser.add_argument(
        "--smoke", action="store_true", help="a tiny run (seconds) that checks it still works"
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.n, args.parse = 300, 20
    return args


if __name__ == "__main__":
    import uvloop

    sys.exit(uvloop.run(main(parse_args())))
