"""Every benchmark still runs: each bench/<script>.py --smoke, end to end, in a few seconds.

Each script runs as ``make bench`` runs it (a subprocess of this Python, from the project
root) but at its ``--smoke`` size, on this run's PostgreSQL (``DATABASE_URL``: the script
makes and drops a database of its own there), and must exit 0 and print its figures.
They all start at once (most of a smoke run is waiting: server start-up, a browser,
simulated delays), and each test waits for its own.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT

TIMEOUT_S = 120

# What each one must print: its report's headings and the lines saying its checks passed.
# A key is a script, with options when one runs a second way.
FIGURES = {
    "swap.py": [
        "Reachout swap benchmark",
        "a conference seeded first",
        "swaps/s",
        "database check:",
        ": consistent",
    ],
    "swap.py --pgbouncer": ["database: by way of PgBouncer", "swaps/s", ": consistent"],
    "swap.py --floor-writes ours": ["with our reads and writes", "swaps/s", ": consistent"],
    "abuse.py": [
        "Reachout abuse benchmark",
        "swaps/s",
        "flood requests",
        "aims: rate under flood",
    ],
    "bump.py": [
        "phones swapped with their true partner",
        "Impact to the first useful prompt",
        "0 between people who are not partners",
    ],
    "pageweight.py": ["aim: /c/<token> HTML within 14 KB compressed", "visitor /c/<token>"],
    "push.py": [
        "Reachout push benchmark",
        "ours/s",
        "checks: every delivery 'sent'",
    ],
    "push.py --worker-processes 2": [
        "in 2 worker processes (bench/_push_worker.py)",
        "checks: every delivery 'sent'",
    ],
    "push_clients.py": ["Reachout push clients benchmark", "ours (push_http)", "aiohttp", "req/s"],
    "mail.py": [
        "Reachout mail benchmark",
        "messages/s",
        "request to arrival",
        "checks: every email 'sent'",
    ],
    "export.py": [
        "Reachout export benchmark",
        "peak MB",
        "checks: 300 cards in the vCard file",
    ],
    "photo.py": [
        "Reachout photo upload benchmark",
        "aim: peak RSS of the web process under 300 MB",
        "checks: every refused image answered 422",
    ],
    "events.py": [
        "roster search p99",
        "matches p99",
        "checks: 300 attendees' digests",
    ],
    "events.py --worker-processes 2": [
        "2 `python -m server worker` processes",
        "worker processes",
        "checks: 300 attendees' digests",
    ],
    "roster_sizes.py": [
        "Reachout roster sizes benchmark",
        "Event of 300 attendee rows",
        "aim p99 < 30 ms",
        "Worst per event size",
        "checks: ",
    ],
}


@dataclass
class Run:
    process: subprocess.Popen[bytes]
    out: Path
    err: Path

    def wait(self) -> tuple[int, str, str]:
        try:
            code = self.process.wait(TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        return code, self.out.read_text(errors="replace"), self.err.read_text(errors="replace")


@pytest.fixture(scope="module")
def smoke_runs(
    admin_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Run]]:
    folder = tmp_path_factory.mktemp("bench-smoke")
    env = {**os.environ, "DATABASE_URL": admin_url}
    runs: dict[str, Run] = {}
    try:
        for script in sorted(FIGURES):
            name, *options = script.split()
            out, err = folder / f"{script}.out", folder / f"{script}.err"
            with out.open("wb") as stdout, err.open("wb") as stderr:
                process = subprocess.Popen(
                    [sys.executable, str(PROJECT_ROOT / "bench" / name), "--smoke", *options],
                    cwd=PROJECT_ROOT,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=stdout,
                    stderr=stderr,
                )
            runs[script] = Run(process, out, err)
        yield runs
    finally:
        for run in runs.values():
            if run.process.poll() is None:
                run.process.kill()
                run.process.wait()


def test_every_script_is_covered() -> None:
    scripts = {p.name for p in (PROJECT_ROOT / "bench").glob("*.py") if not p.name.startswith("_")}
    assert scripts == {key.split()[0] for key in FIGURES}


@pytest.mark.parametrize("script", sorted(FIGURES))
def test_smoke(script: str, smoke_runs: dict[str, Run]) -> None:
    code, out, err = smoke_runs[script].wait()
    said = f"stdout:\n{out[-4000:]}\nstderr:\n{err[-4000:]}"
    assert code == 0, said
    for figure in FIGURES[script]:
        assert figure in out, f"{figure!r} not printed\n{said}"
